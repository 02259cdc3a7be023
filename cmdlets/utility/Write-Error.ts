import { defineCmdlet } from '../../core/engine/cmdlet';
import { ErrorCategory, ErrorRecord } from '../../core/engine/errors';

const categories: ErrorCategory[] = [
  'NotSpecified', 'OpenError', 'CloseError', 'DeviceError', 'DeadlockDetected', 'InvalidArgument', 'InvalidData',
  'InvalidOperation', 'InvalidResult', 'InvalidType', 'MetadataError', 'NotImplemented', 'NotInstalled',
  'ObjectNotFound', 'OperationStopped', 'OperationTimeout', 'SyntaxError', 'ParserError', 'PermissionDenied',
  'ResourceBusy', 'ResourceExists', 'ResourceUnavailable', 'ReadError', 'WriteError', 'FromStdErr', 'SecurityError',
  'ProtocolError', 'ConnectionError', 'AuthenticationError', 'LimitsExceeded', 'QuotaExceeded', 'NotEnabled',
];

export default defineCmdlet({
  verb: 'Write',
  noun: 'Error',
  module: 'Microsoft.PowerShell.Utility',
  synopsis: 'Writes an object to the error stream.',
  defaultParameterSet: 'NoException',
  parameters: [
    { name: 'Message', type: 'string', mandatory: true, position: 0, valueFromPipeline: true, aliases: ['Msg'], sets: ['NoException'], description: 'The text of the error.' },
    { name: 'ErrorRecord', type: 'object', mandatory: true, sets: ['ErrorRecord'], description: 'An error record to write as is.' },
    { name: 'Category', type: 'string', validateSet: categories, sets: ['NoException'], description: 'The error category.' },
    { name: 'ErrorId', type: 'string', sets: ['NoException'], description: 'An id for the error (its FullyQualifiedErrorId).' },
    { name: 'TargetObject', type: 'object', sets: ['NoException'], description: 'The object being processed when the error occurred.' },
  ],
  process(ctx) {
    if (ctx.parameterSetName === 'ErrorRecord') {
      const r = ctx.params.ErrorRecord;
      if (r instanceof ErrorRecord) ctx.writeError(r);
      else ctx.throwTerminating(new ErrorRecord({ message: "Cannot bind parameter 'ErrorRecord': the value is not an ErrorRecord.", errorId: 'CannotConvertArgument,Write-Error', category: 'InvalidArgument' }));
      return;
    }
    const message = ctx.params.Message as string;
    const id = (ctx.params.ErrorId as string | undefined) ?? 'Microsoft.PowerShell.Commands.WriteErrorException';
    ctx.writeError(
      new ErrorRecord({
        message,
        errorId: id,
        category: (ctx.params.Category as ErrorCategory | undefined) ?? 'NotSpecified',
        exceptionType: 'Microsoft.PowerShell.Commands.WriteErrorException',
        targetObject: ctx.params.TargetObject ?? null,
      }),
    );
  },
});
