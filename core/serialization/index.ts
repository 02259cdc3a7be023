// Object serialization over the value model: CLIXML (Export/Import-Clixml, -OutputFormat XML),
// JSON (ConvertTo/From-Json) and CSV (ConvertTo/From-Csv). Strings in, strings out; no file I/O.
export * from './clixml';
export * from './json';
export * from './csv';
export {
  encodeClixmlString,
  decodeClixmlString,
  formatRoundTripDate,
  parseIsoDate,
  formatDoubleR,
  makeTimeSpan,
  isTimeSpan,
} from './dotnet';
