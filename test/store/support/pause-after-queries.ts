import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';

/**
 * Counts the statements a Kysely instance executes and, once the `pauseAfter`-th has run, calls
 * `onPause` and never answers, so a test can kill the process at a known statement (rather than
 * after a guessed delay). With `pauseAfter` = 0 it only counts.
 */
export class PauseAfterQueries implements KyselyPlugin {
  count = 0;

  constructor(
    private readonly pauseAfter: number,
    private readonly onPause: () => void = () => {},
  ) {}

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    this.count++;
    if (this.count !== this.pauseAfter) return args.result;
    this.onPause();
    return new Promise(() => {});
  }
}
