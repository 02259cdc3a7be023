// Invoke-Docker (alias `docker`): the docker CLI's view of the local image store (SPEC §12).
// It parses its own arguments as the docker CLI does (passThruArguments): `docker images -a`,
// `docker image ls --format '{{.Repository}}'`. Output is the docker CLI's text, line by line.
// Each docker command is one file under commands/, loaded when it is first used. Pipeline input
// is the docker CLI's standard input (ctx.state.stdin: `'pw' | docker login -u u --password-stdin`).

import { defineCmdlet, type CmdletContext } from '../../core/engine/cmdlet';
import { toDisplayString } from '../../core/engine/values';
import { dockerError, type DockerCommand } from './common';

/** docker's command names (with the `image …`/`container …` management forms) → their module. */
const COMMANDS: Record<string, () => DockerCommand> = {
  images: () => require('./commands/images').default,
  'image ls': () => require('./commands/images').default,
  'image list': () => require('./commands/images').default,
  tag: () => require('./commands/tag').default,
  'image tag': () => require('./commands/tag').default,
  rmi: () => require('./commands/rmi').default,
  'image rm': () => require('./commands/rmi').default,
  'image remove': () => require('./commands/rmi').default,
  history: () => require('./commands/history').default,
  'image history': () => require('./commands/history').default,
  ps: () => require('./commands/ps').default,
  'container ls': () => require('./commands/ps').default,
  'container list': () => require('./commands/ps').default,
  create: () => (ctx, args) => require('./commands/create').createOrRun(ctx, args, false),
  'container create': () => (ctx, args) => require('./commands/create').createOrRun(ctx, args, false),
  run: () => (ctx, args) => require('./commands/create').createOrRun(ctx, args, true),
  'container run': () => (ctx, args) => require('./commands/create').createOrRun(ctx, args, true),
  rm: () => require('./commands/rm').default,
  'container rm': () => require('./commands/rm').default,
  commit: () => require('./commands/commit').default,
  'container commit': () => require('./commands/commit').default,
  inspect: () => require('./commands/inspect').default,
  'image inspect': () => (ctx, args) => require('./commands/inspect').inspect(ctx, args, 'image'),
  'container inspect': () => (ctx, args) => require('./commands/inspect').inspect(ctx, args, 'container'),
  search: () => require('./commands/search').default,
  login: () => require('./commands/login').default,
  logout: () => require('./commands/logout').default,
  push: () => require('./commands/push').default,
  'image push': () => require('./commands/push').default,
  pull: () => require('./commands/pull').default,
  'image pull': () => require('./commands/pull').default,
  save: () => require('./commands/save').default,
  'image save': () => require('./commands/save').default,
  load: () => require('./commands/load').default,
  'image load': () => require('./commands/load').default,
};

/** The top-level command names, for docker's usage text. */
function commandList(): string {
  return [...new Set(Object.keys(COMMANDS).filter((k) => !k.includes(' ')))].join(', ');
}

export default defineCmdlet({
  verb: 'Invoke',
  noun: 'Docker',
  module: 'Docker',
  synopsis: 'Runs a docker CLI command against the local image store.',
  passThruArguments: true,
  parameters: [
    {
      name: 'Arguments',
      type: 'object[]',
      position: 0,
      valueFromRemainingArguments: true,
      description: 'The docker command and its flags and arguments, as the docker CLI takes them (for example images -a).',
    },
    {
      name: 'InputObject',
      type: 'object',
      valueFromPipeline: true,
      description: "Pipeline input: what the docker CLI would read from its standard input (docker login --password-stdin).",
    },
  ],
  begin(ctx: CmdletContext) {
    ctx.state.stdin = [];
  },
  process(ctx: CmdletContext) {
    if (ctx.boundParameters.has('InputObject')) (ctx.state.stdin as unknown[]).push(ctx.params.InputObject);
  },
  async end(ctx: CmdletContext) {
    const raw = ctx.params.Arguments;
    const args = (raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]).map((a) => toDisplayString(a));
    const [command, ...rest] = args;
    if (command === undefined) {
      ctx.throwTerminating(dockerError(ctx, `Usage:  docker [OPTIONS] COMMAND\nCommands: ${commandList()}.`, 'DockerUsage'));
    }
    const managed = (command === 'image' || command === 'container') && rest[0] !== undefined;
    const name = managed ? `${command} ${rest[0]}` : command;
    const load = COMMANDS[name];
    if (!load) ctx.throwTerminating(dockerError(ctx, `docker: '${name}' is not a docker command.\nSee 'docker --help'`, 'DockerUnknownCommand', 'ObjectNotFound'));
    return load()(ctx, managed ? rest.slice(1) : rest);
  },
});
