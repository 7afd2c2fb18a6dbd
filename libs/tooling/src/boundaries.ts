/** Nx module-boundary rules: a project's tags say what it may depend on; Nx's project graph says what it does. */
export interface DepConstraint {
  readonly sourceTag: string;
  /** Workspace projects it may depend on, by tag. Absent: any. */
  readonly onlyDependOnLibsWithTags?: readonly string[];
  /** Workspace projects it may never depend on, by tag. */
  readonly notDependOnLibsWithTags?: readonly string[];
  /** npm packages it may depend on. Absent: any. */
  readonly allowExternal?: readonly string[];
}

// Test files are part of a project's graph, so the test runner, its property-based generator and
// the tooling lib are allowed everywhere.
const testOnly = ['vitest', 'fast-check'];

export const depConstraints: readonly DepConstraint[] = [
  {
    sourceTag: 'type:contracts',
    onlyDependOnLibsWithTags: ['type:tooling'],
    // The build writes the AsyncAPI document with yaml; a test checks it with the AsyncAPI parser.
    allowExternal: ['typebox', 'ajv', 'yaml', '@asyncapi/parser', ...testOnly],
  },
  {
    sourceTag: 'type:domain',
    onlyDependOnLibsWithTags: ['type:contracts', 'type:tooling'],
    allowExternal: testOnly,
  },
  { sourceTag: 'scope:lib', notDependOnLibsWithTags: ['scope:service'] },
  { sourceTag: 'scope:tooling', onlyDependOnLibsWithTags: [] },
];

export interface ProjectGraphJson {
  readonly graph: {
    readonly nodes: Readonly<
      Record<string, { readonly data: { readonly tags?: readonly string[] } }>
    >;
    readonly dependencies: Readonly<Record<string, readonly { readonly target: string }[]>>;
  };
}

/** Every dependency the constraints forbid, as a sentence naming both ends and the rule. */
export function boundaryViolations(
  projectGraph: ProjectGraphJson,
  constraints = depConstraints,
): string[] {
  const { nodes, dependencies } = projectGraph.graph;
  const tagsOf = (name: string) => nodes[name]?.data.tags ?? [];
  const found: string[] = [];
  for (const [source, deps] of Object.entries(dependencies)) {
    for (const constraint of constraints.filter((c) => tagsOf(source).includes(c.sourceTag))) {
      for (const { target } of deps) {
        const external = target.startsWith('npm:') ? packageName(target.slice(4)) : undefined;
        const problem =
          external !== undefined
            ? externalProblem(constraint, external)
            : internalProblem(constraint, tagsOf(target));
        if (problem)
          found.push(`${source} -> ${target}: ${problem} (rule for ${constraint.sourceTag})`);
      }
    }
  }
  return found;
}

function externalProblem(c: DepConstraint, pkg: string): string | undefined {
  if (c.allowExternal && !c.allowExternal.includes(pkg))
    return `npm package not allowed, only [${c.allowExternal.join(', ')}]`;
  return undefined;
}

function internalProblem(c: DepConstraint, targetTags: readonly string[]): string | undefined {
  if (
    c.onlyDependOnLibsWithTags &&
    !targetTags.some((t) => c.onlyDependOnLibsWithTags?.includes(t))
  ) {
    return `may depend only on projects tagged [${c.onlyDependOnLibsWithTags.join(', ')}]`;
  }
  const banned = targetTags.find((t) => c.notDependOnLibsWithTags?.includes(t));
  if (banned) return `may not depend on projects tagged ${banned}`;
  return undefined;
}

// Nx names external nodes `npm:<name>` or, for several installed versions, `npm:<name>@<version>`.
function packageName(node: string): string {
  const at = node.indexOf('@', node.startsWith('@') ? 1 : 0);
  return at > 0 ? node.slice(0, at) : node;
}
