/**
 * JUnit XML → test cases, with fast-xml-parser (a maintained parser: entities are limited to
 * XML's own, no DTD is fetched). Accepts the shapes tools write: `<testsuites>` of
 * `<testsuite>` (nested suites too) or a single `<testsuite>`; a case's verdict is its
 * `<failure>`, `<error>` or `<skipped>` child, its message the element's `message` attribute
 * (or text), its output the failure text plus `<system-out>`/`<system-err>`, capped.
 */
import { XMLParser } from 'fast-xml-parser';
import { MAX_TEST_TEXT, type TestCaseMessage } from '../protocol/artifact-protocol.js';

type Node = Record<string, unknown>;

const parser = () =>
  new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    textNodeName: '#text',
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: false,
    processEntities: true,
    htmlEntities: false,
    isArray: (name) =>
      ['testsuite', 'testcase', 'failure', 'error', 'skipped', 'system-out', 'system-err'].includes(name),
  });

export class NotJunitError extends Error {}

export function parseJunit(xml: string, file: string): TestCaseMessage[] {
  let doc: Node;
  try {
    doc = parser().parse(xml, true) as Node;
  } catch (error) {
    throw new NotJunitError(
      `${file}: not well-formed XML (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`,
    );
  }
  const roots =
    doc.testsuites !== undefined ? asNodes((doc.testsuites as Node).testsuite) : asNodes(doc.testsuite);
  if (doc.testsuites === undefined && doc.testsuite === undefined)
    throw new NotJunitError(`${file}: not a JUnit report (no <testsuites> or <testsuite> element)`);
  const cases: TestCaseMessage[] = [];
  const walk = (suite: Node, parentName: string) => {
    const name = attr(suite, 'name') || parentName || file;
    for (const tc of asNodes(suite.testcase)) cases.push(toCase(tc, name));
    for (const inner of asNodes(suite.testsuite)) walk(inner, name);
  };
  for (const suite of roots) walk(suite, '');
  return cases;
}

function toCase(tc: Node, suite: string): TestCaseMessage {
  const failure = asNodes(tc.failure)[0];
  const error = asNodes(tc.error)[0];
  const skipped = asNodes(tc.skipped)[0];
  const problem = failure ?? error ?? skipped;
  const status: TestCaseMessage['status'] = failure
    ? 'failed'
    : error
      ? 'error'
      : skipped !== undefined
        ? 'skipped'
        : 'passed';
  const seconds = Number(attr(tc, 'time'));
  const outputs = [
    problem ? text(problem) : '',
    ...asNodes(tc['system-out']).map(text),
    ...asNodes(tc['system-err']).map(text),
  ].filter((t) => t.trim() !== '');
  const message = problem ? attr(problem, 'message') || firstLine(text(problem)) : '';
  return {
    suite: cap(suite, 500),
    classname: cap(attr(tc, 'classname') || suite, 500),
    name: cap(attr(tc, 'name') || '(unnamed)', 1000),
    status,
    durationMs: Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : 0,
    message: message ? cap(message, MAX_TEST_TEXT) : null,
    output: outputs.length > 0 ? cap(outputs.join('\n'), MAX_TEST_TEXT) : null,
  };
}

function asNodes(value: unknown): Node[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  // An empty element (`<skipped/>`) parses as "": still present.
  return list.map((v) => (typeof v === 'object' && v !== null ? (v as Node) : { '#text': String(v) }));
}

function attr(node: Node, name: string): string {
  const value = node[`@${name}`];
  return typeof value === 'string' ? value : '';
}

function text(node: Node): string {
  const value = node['#text'];
  return typeof value === 'string' ? value : '';
}

function firstLine(t: string): string {
  return t.trim().split('\n')[0] ?? '';
}

/** Cut at `max` UTF-16 units, keeping the start (where a failure says what went wrong). */
function cap(t: string, max: number): string {
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}

/** Line coverage in percent from a Cobertura report's root `line-rate` (0–1); null when absent. */
export function coberturaCoverage(xml: string): number | null {
  let doc: Node;
  try {
    doc = parser().parse(xml, true) as Node;
  } catch {
    return null;
  }
  const root = doc.coverage as Node | undefined;
  const rate = root ? Number(attr(root, 'line-rate')) : Number.NaN;
  return Number.isFinite(rate) && rate >= 0 && rate <= 1 ? Math.round(rate * 10_000) / 100 : null;
}

/** The last match of a coverage regex in a log line (GitLab's rule: the last match wins). */
export function coverageFromLine(line: string, regex: RegExp): number | null {
  const m = regex.exec(line);
  if (!m) return null;
  const candidate = m.slice(1).find((g) => g !== undefined) ?? m[0];
  const number = /\d+(?:\.\d+)?/.exec(candidate);
  const value = number ? Number(number[0]) : Number.NaN;
  return Number.isFinite(value) && value >= 0 && value <= 100 ? value : null;
}
