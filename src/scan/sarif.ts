// SARIF 2.1.0 exporter for `quarry scan --format sarif`: one function from the scan's rules and findings to the
// document that GitHub code scanning and other SARIF viewers read.
import { relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Location, Log, ReportingDescriptor, Result, Run } from 'sarif';

export type SarifLevel = 'error' | 'warning' | 'note';

/** A rule as the scan describes it (a scan rule's `meta` fits). */
export interface SarifRule {
  id: string;
  /** One line on what the rule finds: SARIF's `shortDescription`. */
  description: string;
  /** Why the pattern is a problem and what to do instead: SARIF's `fullDescription` and `help`. */
  docs: string;
  /** The level the rule reports at unless configured otherwise: SARIF's `defaultConfiguration.level`. */
  severity: SarifLevel;
}

/** One finding, located in one file. */
export interface SarifFinding {
  ruleId: string;
  severity: SarifLevel;
  message: string;
  /** Root-relative path with `/` separators. */
  path: string;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units (JavaScript string indices). */
  column: number;
  /** 1-based. */
  endLine: number;
  /** 1-based and exclusive: the column after the last character, as SARIF counts it. */
  endColumn: number;
}

export interface SarifInput {
  /** quarry's version: `tool.driver.version`. */
  toolVersion: string;
  /** Where to read about the tool: `tool.driver.informationUri`. @default omitted */
  informationUri?: string | undefined;
  /** Every rule that ran, in the order to list them; a finding refers to its rule by position (`ruleIndex`). */
  rules: readonly SarifRule[];
  findings: readonly SarifFinding[];
  /**
   * Absolute path of the scanned root. When given, the run says where `%SRCROOT%` is (`originalUriBaseIds`), so a
   * viewer can open the files; without it, paths stay relative to a root the consumer knows (a repository checkout).
   * @default omitted
   */
  root?: string | undefined;
  /**
   * The directory `%SRCROOT%` stands for when it is not `root` but a directory above it, such as the top of the
   * repository: URIs then start with the root's path from there (`src/a.ts` for `a.ts` of a scan of `src`), which
   * is what code scanning needs to find the files. Needs `root`.
   * @default root
   */
  srcRoot?: string | undefined;
}

/** The base every artifact URI is relative to. */
export const SRCROOT = '%SRCROOT%';
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** The SARIF 2.1.0 log of one scan: one run, the rules as `tool.driver.rules`, one result per finding. */
export function toSarif(input: SarifInput): Log {
  const ruleIndex = new Map<string, number>();
  const rules = input.rules.map((rule, i): ReportingDescriptor => {
    if (!ruleIndex.has(rule.id)) ruleIndex.set(rule.id, i);
    return {
      id: rule.id,
      shortDescription: { text: rule.description },
      fullDescription: { text: rule.docs },
      help: { text: rule.docs },
      defaultConfiguration: { level: rule.severity },
    };
  });
  const base = input.root === undefined ? undefined : (input.srcRoot ?? input.root);
  // The root's path below %SRCROOT% ('' when they are one), in URI form.
  const below =
    base === undefined
      ? []
      : relative(base, input.root!)
          .split(sep)
          .filter((s) => s !== '');
  if (below[0] === '..') throw new Error(`srcRoot ${String(base)} does not hold the root ${input.root!}`);
  const prefix = below.join('/');
  const results = input.findings.map((f): Result => {
    const location: Location = {
      physicalLocation: {
        artifactLocation: { uri: pathToUri(prefix === '' ? f.path : `${prefix}/${f.path}`), uriBaseId: SRCROOT },
        region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
      },
    };
    const result: Result = { ruleId: f.ruleId, level: f.severity, message: { text: f.message }, locations: [location] };
    const index = ruleIndex.get(f.ruleId);
    if (index !== undefined) result.ruleIndex = index;
    return result;
  });
  const run: Run = {
    tool: {
      driver: {
        name: 'quarry',
        version: input.toolVersion,
        ...(input.informationUri === undefined ? {} : { informationUri: input.informationUri }),
        rules,
      },
    },
    // Babel's columns, like every JavaScript string index, count UTF-16 code units, not code points.
    columnKind: 'utf16CodeUnits',
    results,
  };
  if (base !== undefined) run.originalUriBaseIds = { [SRCROOT]: { uri: directoryUri(base) } };
  return { $schema: SARIF_SCHEMA, version: '2.1.0', runs: [run] };
}

/** A root-relative path as a relative URI reference: each segment percent-encoded, `@` (scoped packages) kept. */
function pathToUri(path: string): string {
  return path
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/%40/g, '@'))
    .join('/');
}

/** `file:` URI of a directory, ending in `/` as SARIF requires of a base URI. */
function directoryUri(dir: string): string {
  const href = pathToFileURL(dir).href;
  return href.endsWith('/') ? href : href + '/';
}
