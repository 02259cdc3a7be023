import { defineCmdlet } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import { wildcardMatch } from '../../core/engine/operators';
import { formatDate, Hashtable, PSObject, PSVersion, toDisplayString, typeNameOf } from '../../core/engine/values';

type MemberType = 'AliasProperty' | 'CodeProperty' | 'Property' | 'NoteProperty' | 'ScriptProperty' | 'PropertySet' | 'Method' | 'CodeMethod' | 'ScriptMethod' | 'ParameterizedProperty' | 'MemberSet' | 'Event';

interface Member {
  name: string;
  type: MemberType;
  definition: string;
  hidden?: boolean;
}

const MEMBER_TYPES = [
  'AliasProperty', 'CodeProperty', 'Property', 'NoteProperty', 'ScriptProperty', 'Properties', 'PropertySet', 'Method', 'CodeMethod',
  'ScriptMethod', 'Methods', 'ParameterizedProperty', 'MemberSet', 'Event', 'Dynamic', 'InferredProperty', 'All',
];
const PROPERTY_TYPES = ['AliasProperty', 'CodeProperty', 'Property', 'NoteProperty', 'ScriptProperty', 'InferredProperty'];
const METHOD_TYPES = ['Method', 'CodeMethod', 'ScriptMethod'];

/** How pwsh names a value's type in a member definition: type accelerators for the common ones. */
const SHORT_TYPE_NAMES: Record<string, string> = {
  'System.Int32': 'int',
  'System.Int64': 'long',
  'System.Double': 'double',
  'System.String': 'string',
  'System.Boolean': 'bool',
  'System.Object[]': 'Object[]',
  'System.Collections.Hashtable': 'hashtable',
  'System.Collections.Specialized.OrderedDictionary': 'System.Collections.Specialized.OrderedDictionary',
  'System.Version': 'version',
  'System.DateTime': 'datetime',
  'System.Management.Automation.ScriptBlock': 'scriptblock',
};

function displayType(value: unknown): string {
  if (value === null || value === undefined) return 'object';
  const t = value instanceof PSObject ? value.typeNames[0] : typeNameOf(value);
  return SHORT_TYPE_NAMES[t] ?? t;
}

/** The value as a note property's definition shows it (its ToString()). */
function definitionValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'System.Object[]';
  if (value instanceof Hashtable) return value.toString();
  if (value instanceof Date) return formatDate(value);
  if (value instanceof PSObject || value instanceof PSVersion) return value.toString();
  return toDisplayString(value);
}

const OBJECT_METHODS: Member[] = [
  { name: 'Equals', type: 'Method', definition: 'bool Equals(System.Object obj)' },
  { name: 'GetHashCode', type: 'Method', definition: 'int GetHashCode()' },
  { name: 'GetType', type: 'Method', definition: 'type GetType()' },
  { name: 'ToString', type: 'Method', definition: 'string ToString()' },
];

/** System.String: Length and the methods the language supports on strings, with .NET 8's overloads. */
const STRING_MEMBERS: Member[] = [
  { name: 'Contains', type: 'Method', definition: 'bool Contains(string value), bool Contains(string value, System.StringComparison comparisonType), bool Contains(char value), bool Contains(char value, System.StringComparison comparisonType)' },
  { name: 'EndsWith', type: 'Method', definition: 'bool EndsWith(string value), bool EndsWith(string value, System.StringComparison comparisonType), bool EndsWith(string value, bool ignoreCase, cultureinfo culture), bool EndsWith(char value)' },
  { name: 'Equals', type: 'Method', definition: 'bool Equals(System.Object obj), bool Equals(string value), bool Equals(string value, System.StringComparison comparisonType), bool IEquatable[string].Equals(string other)' },
  { name: 'GetHashCode', type: 'Method', definition: 'int GetHashCode(), int GetHashCode(System.StringComparison comparisonType)' },
  { name: 'GetType', type: 'Method', definition: 'type GetType()' },
  { name: 'IndexOf', type: 'Method', definition: 'int IndexOf(char value), int IndexOf(char value, int startIndex), int IndexOf(char value, System.StringComparison comparisonType), int IndexOf(char value, int startIndex, int count), int IndexOf(string value), int IndexOf(string value, int startIndex), int IndexOf(string value, int startIndex, int count), int IndexOf(string value, System.StringComparison comparisonType), int IndexOf(string value, int startIndex, System.StringComparison comparisonType), int IndexOf(string value, int startIndex, int count, System.StringComparison comparisonType)' },
  { name: 'PadLeft', type: 'Method', definition: 'string PadLeft(int totalWidth), string PadLeft(int totalWidth, char paddingChar)' },
  { name: 'PadRight', type: 'Method', definition: 'string PadRight(int totalWidth), string PadRight(int totalWidth, char paddingChar)' },
  { name: 'Replace', type: 'Method', definition: 'string Replace(string oldValue, string newValue, bool ignoreCase, cultureinfo culture), string Replace(string oldValue, string newValue, System.StringComparison comparisonType), string Replace(char oldChar, char newChar), string Replace(string oldValue, string newValue)' },
  { name: 'Split', type: 'Method', definition: 'string[] Split(char separator, System.StringSplitOptions options = System.StringSplitOptions.None), string[] Split(char separator, int count, System.StringSplitOptions options = System.StringSplitOptions.None), string[] Split(Params char[] separator), string[] Split(char[] separator, int count), string[] Split(char[] separator, System.StringSplitOptions options), string[] Split(char[] separator, int count, System.StringSplitOptions options), string[] Split(string separator, System.StringSplitOptions options = System.StringSplitOptions.None), string[] Split(string separator, int count, System.StringSplitOptions options = System.StringSplitOptions.None), string[] Split(string[] separator, System.StringSplitOptions options), string[] Split(string[] separator, int count, System.StringSplitOptions options)' },
  { name: 'StartsWith', type: 'Method', definition: 'bool StartsWith(string value), bool StartsWith(string value, System.StringComparison comparisonType), bool StartsWith(string value, bool ignoreCase, cultureinfo culture), bool StartsWith(char value)' },
  { name: 'Substring', type: 'Method', definition: 'string Substring(int startIndex), string Substring(int startIndex, int length)' },
  { name: 'ToLower', type: 'Method', definition: 'string ToLower(), string ToLower(cultureinfo culture)' },
  { name: 'ToString', type: 'Method', definition: 'string ToString(), string ToString(System.IFormatProvider provider), string IConvertible.ToString(System.IFormatProvider provider)' },
  { name: 'ToUpper', type: 'Method', definition: 'string ToUpper(), string ToUpper(cultureinfo culture)' },
  { name: 'Trim', type: 'Method', definition: 'string Trim(), string Trim(char trimChar), string Trim(Params char[] trimChars)' },
  { name: 'Length', type: 'Property', definition: 'int Length {get;}' },
];

const VERSION_PROPERTIES: Member[] = ['Build', 'Major', 'MajorRevision', 'Minor', 'MinorRevision', 'Revision'].map((n) => ({
  name: n,
  type: 'Property',
  definition: `${n.endsWith('Revision') && n !== 'Revision' ? 'short' : 'int'} ${n} {get;}`,
}));

const DATE_PROPERTIES: Member[] = [
  ['Date', 'datetime'], ['Day', 'int'], ['DayOfWeek', 'System.DayOfWeek'], ['DayOfYear', 'int'], ['Hour', 'int'], ['Millisecond', 'int'],
  ['Minute', 'int'], ['Month', 'int'], ['Second', 'int'], ['Ticks', 'long'], ['Year', 'int'],
].map(([n, t]) => ({ name: n, type: 'Property', definition: `${t} ${n} {get;}` }));

/** The members of one value and the type name they are listed under. */
function membersOf(value: unknown): { typeName: string; members: Member[] } {
  if (value instanceof PSObject) {
    const custom = value.typeNames.some((t) => /(^|\.)PSCustomObject$/.test(t) && !/^Deserialized\./.test(t)) || value.typeNames[0].startsWith('Selected.');
    const props: Member[] = value.properties().map((p) =>
      custom
        ? { name: p.name, type: 'NoteProperty' as const, definition: `${displayType(p.value)} ${p.name}=${definitionValue(p.value)}` }
        : { name: p.name, type: 'Property' as const, definition: `${displayType(p.value)} ${p.name} {get;set;}` },
    );
    const hidden: Member[] = [
      {
        name: 'pstypenames',
        type: 'CodeProperty',
        definition: 'System.Collections.ObjectModel.Collection`1[[System.String, System.Private.CoreLib, Version=8.0.0.0, Culture=neutral, PublicKeyToken=7cec85d7bea7798e]] pstypenames{get=PSTypeNames;}',
        hidden: true,
      },
      { name: 'psadapted', type: 'MemberSet', definition: 'psadapted {ToString, GetType, Equals, GetHashCode}', hidden: true },
      { name: 'psbase', type: 'MemberSet', definition: 'psbase {ToString, GetType, Equals, GetHashCode}', hidden: true },
      { name: 'psextended', type: 'MemberSet', definition: `psextended {${value.propertyNames().join(', ')}}`, hidden: true },
      {
        name: 'psobject',
        type: 'MemberSet',
        definition: 'psobject {BaseObject, Members, Properties, Methods, ImmediateBaseObject, TypeNames, get_BaseObject, get_Members, get_Properties, get_Methods, get_ImmediateBaseObject, set_ImmediateBaseObject, get_TypeNames, Copy, ToString, GetMetaObject, GetObjectData, CompareTo, Equals, GetHashCode, GetType}',
        hidden: true,
      },
    ];
    return { typeName: value.typeNames[0], members: [...OBJECT_METHODS, ...props, ...hidden] };
  }
  const typeName = typeNameOf(value);
  if (typeof value === 'string') return { typeName, members: STRING_MEMBERS };
  if (value instanceof PSVersion) return { typeName, members: [...OBJECT_METHODS, ...VERSION_PROPERTIES] };
  if (value instanceof Date) return { typeName, members: [...OBJECT_METHODS, ...DATE_PROPERTIES] };
  if (Array.isArray(value)) {
    return {
      typeName,
      members: [
        ...OBJECT_METHODS,
        { name: 'Count', type: 'AliasProperty', definition: 'Count = Length' },
        { name: 'Length', type: 'Property', definition: 'int Length {get;}' },
      ],
    };
  }
  if (value instanceof Hashtable) {
    return {
      typeName,
      members: [
        ...OBJECT_METHODS,
        { name: 'Count', type: 'Property', definition: 'int Count {get;}' },
        { name: 'Keys', type: 'Property', definition: 'System.Collections.ICollection Keys {get;}' },
        { name: 'Values', type: 'Property', definition: 'System.Collections.ICollection Values {get;}' },
      ],
    };
  }
  return { typeName, members: OBJECT_METHODS };
}

function wanted(m: Member, types: string[] | undefined, names: string[] | undefined, force: boolean): boolean {
  if (m.hidden && !force) return false;
  if (names && !names.some((n) => wildcardMatch(m.name, n))) return false;
  if (!types) return true;
  return types.some((t) => {
    const lt = t.toLowerCase();
    if (lt === 'all') return true;
    if (lt === 'properties') return PROPERTY_TYPES.includes(m.type);
    if (lt === 'methods') return METHOD_TYPES.includes(m.type);
    return lt === m.type.toLowerCase();
  });
}

export default defineCmdlet({
  verb: 'Get',
  noun: 'Member',
  module: 'Microsoft.PowerShell.Utility',
  synopsis: 'Gets the properties and methods of objects.',
  outputType: ['Microsoft.PowerShell.Commands.MemberDefinition'],
  parameters: [
    { name: 'InputObject', type: 'object', valueFromPipeline: true, description: 'The object whose members are listed. Through the pipeline each element is inspected; with -InputObject a collection is inspected as one object.' },
    { name: 'Name', type: 'string[]', position: 0, description: 'Member names to list; wildcards are permitted.' },
    { name: 'MemberType', type: 'string[]', aliases: ['Type'], validateSet: MEMBER_TYPES, description: 'Lists only members of these types (Properties and Methods stand for all property and method types).' },
    { name: 'Force', type: 'switch', description: 'Also lists the hidden intrinsic members (pstypenames, psobject, psbase, psadapted, psextended).' },
  ],
  begin(ctx) {
    ctx.state.seen = new Set<string>();
    ctx.state.any = false;
  },
  process(ctx) {
    const v = ctx.params.InputObject;
    if (v === undefined || v === null) return;
    ctx.state.any = true;
    const { typeName, members } = membersOf(v);
    const seen = ctx.state.seen as Set<string>;
    const key = v instanceof PSObject ? v.typeNames.join('|').toLowerCase() : typeName.toLowerCase();
    if (seen.has(key)) return;
    seen.add(key);
    const types = ctx.params.MemberType as string[] | undefined;
    const names = ctx.params.Name as string[] | undefined;
    const out = members
      .filter((m) => wanted(m, types, names, Boolean(ctx.params.Force)))
      .sort((a, b) => cmp(a.type, b.type) || cmp(a.name, b.name))
      .map((m) =>
        PSObject.fromEntries(
          [
            ['TypeName', typeName],
            ['Name', m.name],
            ['MemberType', m.type],
            ['Definition', m.definition],
          ],
          ['Microsoft.PowerShell.Commands.MemberDefinition', 'System.Object'],
        ),
      );
    for (const o of out) o.toStringFn = () => String(o.get('Definition'));
    return ctx.writeAll(out);
  },
  end(ctx) {
    if (ctx.state.any) return;
    ctx.writeError(
      new ErrorRecord({
        message: 'You must specify an object for the Get-Member cmdlet.',
        errorId: 'NoObjectInGetMember,Microsoft.PowerShell.Commands.GetMemberCommand',
        category: 'CloseError',
        exceptionType: 'System.InvalidOperationException',
      }),
    );
  },
});

function cmp(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}
