/**
 * Codes for Slipway's own log lines (`system` stream): cache, artifacts, reports, retries,
 * after_script, images, services, secrets, resources, the job's final failure line and engine
 * notices. A coded line still carries
 * its English text (the raw log, the CLI and older web UIs show that); the web UI shows the
 * code's sentence in the reader's language, filled from `params`, and falls back to the text for
 * a code it does not know. Engine words inside a coded line travel as a `detail` param.
 *
 * Each code lists the params its sentence needs and their kind; sizes are bytes and times are
 * milliseconds, so the reader's UI formats them.
 */
export const SYSTEM_LINE_CODES = {
  'retry.exit_code': { attempt: 'number', max: 'number', next: 'number', code: 'number' },
  /** `reason` is a failure reason code (domain/reason-codes.ts FAILURE_REASONS). */
  'retry.failure': { attempt: 'number', max: 'number', next: 'number', reason: 'string' },
  'after_script.start': {},
  'after_script.exit': { code: 'number' },
  'after_script.timeout': { ms: 'number' },
  /** `detail` is the engine's own (masked) words. */
  'after_script.error': { detail: 'string' },
  'tests.summary': { passed: 'number', failed: 'number', skipped: 'number' },
  'tests.summary_coverage': { passed: 'number', failed: 'number', skipped: 'number', coverage: 'number' },
  'tests.not_supported': {},
  'artifacts.uploaded': { files: 'number', bytes: 'number', compressed: 'number' },
  'artifacts.none_matched': { paths: 'string' },
  'artifacts.failed': { detail: 'string' },
  /** `how`: `mounted` (copy-on-write overlay) or `copied`. */
  'cache.restored': { key: 'string', bytes: 'number', ms: 'number', how: 'string' },
  'cache.restored_fallback': { key: 'string', fallback: 'string', bytes: 'number', ms: 'number' },
  'cache.missed': { key: 'string' },
  /** `reason` is the policy's own words (`policy: pull`, or why this run may not save). */
  'cache.missed_no_save': { key: 'string', reason: 'string' },
  'cache.push_only': { key: 'string' },
  'cache.already_saved': { key: 'string' },
  'cache.saved': { key: 'string', bytes: 'number', ms: 'number' },
  /** `cause`: `stopped` or `failed`. */
  'cache.not_saved': { key: 'string', cause: 'string' },
  'cache.remote_restored': { key: 'string', bytes: 'number', ms: 'number' },
  'cache.remote_uploaded': { key: 'string', bytes: 'number', ms: 'number' },
  /** Why `policy: pull` or an untrusted run saves nothing after restoring `fallback` for `key`. */
  'cache.restored_fallback_no_save': {
    key: 'string',
    fallback: 'string',
    bytes: 'number',
    ms: 'number',
    reason: 'string',
  },
  /** Cache problems (a warning: the job goes on): `detail` is the engine's own (masked) words. */
  'cache.restore_failed': { detail: 'string' },
  'cache.save_failed': { detail: 'string' },
  'cache.overlays_copied': { detail: 'string' },
  /** `files`: the `key: files:` entries absent from the workspace, comma-separated. */
  'cache.key_files_missing': { files: 'string', count: 'number' },
  'cache.remote_ask_failed': { key: 'string', detail: 'string' },
  'cache.remote_restore_failed': { key: 'string', detail: 'string' },
  'cache.remote_upload_failed': { key: 'string', detail: 'string' },
  /** Secrets the job names that the run does not have: `names` comma-separated. */
  'secrets.missing': { names: 'string', job: 'string', count: 'number' },
  /** A stored secret value Slipway will not hand over; `detail` says why (English). */
  'secrets.refused': { name: 'string', job: 'string', detail: 'string' },
  /** A `resources:` request above the maximum; `what`: memory, pids or cpus; values as shown. */
  'resources.limited': { what: 'string', asked: 'string', max: 'string' },
  /**
   * The job's final line: `reason` a failure reason code (FAILURE_REASONS), `message` its masked
   * English text; the failure's own params (`code`, `seconds`, `image`) are added beside them.
   */
  'job.failed': { reason: 'string', message: 'string' },
  /** A report's problem (a file that is not JUnit, too many cases…): `detail` in English. */
  'reports.problem': { detail: 'string' },
  'tests.not_sent': { detail: 'string' },
  /** A path the artifact upload left out (a link leaving the workspace…): `detail` in English. */
  'artifacts.skipped': { detail: 'string' },
  /** `images`: the `cache_from` images present on the engine, comma-separated. */
  'image.reusing_layers': { images: 'string' },
  'local.image_ignored': { image: 'string' },
  'local.no_caches': {},
  'job.output_truncated': {},
  'job.output_failed': { detail: 'string' },
  /** The job's output stream did not end within `seconds` of its exit. */
  'job.output_lost': { seconds: 'number' },
  /** Engine problems while stopping or cleaning up (the job's result stands): engine words. */
  'job.stop_failed': { detail: 'string' },
  'service.remove_failed': { detail: 'string' },
  'network.remove_failed': { network: 'string', detail: 'string' },
  'image.not_pushed_untrusted': { repository: 'string' },
  /** A job's image is missing on the engine: pulled before the job starts (`ms` the pull took). */
  'image.pulling': { image: 'string' },
  'image.pulled': { image: 'string', ms: 'number' },
  /** The job printed more than the log may hold (`bytes`); the rest of its output is dropped. */
  'log.truncated': { bytes: 'number' },
  'image.built': { repository: 'string', id: 'string', tags: 'string' },
  'image.pushing': { image: 'string' },
  'image.pushed': { image: 'string', digest: 'string' },
  'service.started': { name: 'string', image: 'string' },
  /** Why `changes:` let a manual/API/scheduled run's job run; `files` are the first matched, `more` the rest. */
  'changes.matched': {
    globs: 'string',
    files: 'string',
    more: 'number',
    baseRun: 'number',
    baseSha: 'string',
  },
  /** `branch` is empty for a tag or another ref. */
  'changes.no_base': { globs: 'string', branch: 'string' },
} as const satisfies Record<string, Record<string, 'string' | 'number'>>;

export type SystemLineCode = keyof typeof SYSTEM_LINE_CODES;

type Kinds = typeof SYSTEM_LINE_CODES;
type ValueOf<K> = K extends 'number' ? number : string;

/** The params a code's sentence needs, typed. */
export type SystemLineParams<C extends SystemLineCode> = {
  -readonly [P in keyof Kinds[C]]: ValueOf<Kinds[C][P]>;
};

/** A coded system line as the runtime hands it to the log: code, params and the English text. */
export type CodedSystemLine = {
  [C in SystemLineCode]: { code: C; params: SystemLineParams<C>; text: string };
}[SystemLineCode];

/** Params as they travel (protocol, storage, API): plain names to strings or numbers. */
export type SystemLineParamValues = Record<string, string | number>;

/** Anything Slipway's own lines are written to; `systemCode` is optional so plain sinks still work. */
export interface SystemLineSink {
  system(text: string): void;
  systemCode?(line: CodedSystemLine): void;
}

/** Writes a coded line, or only its English text when the sink cannot carry codes. */
export function writeSystemLine<C extends SystemLineCode>(
  sink: SystemLineSink,
  code: C,
  params: SystemLineParams<C>,
  text: string,
): void {
  if (sink.systemCode) sink.systemCode({ code, params, text } as CodedSystemLine);
  else sink.system(text);
}

export function isSystemLineCode(code: string): code is SystemLineCode {
  return Object.hasOwn(SYSTEM_LINE_CODES, code);
}
