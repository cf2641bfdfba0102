import type { AnyStateMachine, AnyStateNode } from 'xstate';

/**
 * Renders an XState machine as a Mermaid `stateDiagram-v2`, straight from its definition, so the
 * diagram in docs/state-machine.md can never drift from the code (a test compares them).
 */

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly label: string;
}

const mermaidId = (node: AnyStateNode): string => node.id.replace(/[^A-Za-z0-9]/g, '_');

const guardLabel = (guard: unknown): string | undefined => {
  if (guard === undefined) return undefined;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') return 'and(...)';
  const g = guard as { type?: string; params?: Record<string, unknown> };
  if (g.type === 'verdict is go') return 'decide';
  if (g.type === 'verdict is recover') return `decide: recover${g.params?.['reset'] ? ' with ha-reset' : ''}`;
  if (g.type === 'verdict is sync') return 'decide: sync';
  if (g.type === 'state is') return `in ${(g.params?.['labels'] as string[]).join('/')}`;
  if (g.type === 'pending request is') return `${String(g.params?.['kind'])} ${String(g.params?.['outcome'])}`;
  return g.type;
};

const eventLabel = (eventType: string): string => eventType.replace(/^xstate\.after\.([^.]+)\..*$/, 'after $1');

const isPreviousStateEdge = (guard: unknown): boolean => typeof guard === 'function';

function collect(node: AnyStateNode, edges: Edge[], notes: Map<string, string[]>): void {
  for (const [eventType, transitions] of node.transitions) {
    const previousEdges = transitions.filter((t) => isPreviousStateEdge(t.guard));
    if (previousEdges.length > 1) {
      const list = notes.get(mermaidId(node)) ?? [];
      list.push(`${eventLabel(eventType)}: back to the previous state`);
      notes.set(mermaidId(node), list);
    }
    for (const t of transitions) {
      if (previousEdges.length > 1 && isPreviousStateEdge(t.guard)) continue;
      const guard = guardLabel(t.guard);
      const label = guard === undefined ? eventLabel(eventType) : `${eventLabel(eventType)} [${guard}]`;
      for (const target of t.target ?? []) {
        const isDescendantFromComposite = node.type !== 'atomic' && target.id.startsWith(`${node.id}.`);
        if (isDescendantFromComposite && node.parent?.type === 'parallel') {
          const list = notes.get(mermaidId(node)) ?? [];
          list.push(`from any state: ${label} → ${target.key}`);
          notes.set(mermaidId(node), list);
        } else {
          edges.push({ from: mermaidId(node), to: mermaidId(target), label });
        }
      }
    }
  }
  for (const child of Object.values(node.states) as AnyStateNode[]) collect(child, edges, notes);
}

function declare(node: AnyStateNode, indent: string, out: string[], edges: readonly Edge[]): void {
  const id = mermaidId(node);
  const children = Object.values(node.states) as AnyStateNode[];
  if (children.length === 0) {
    out.push(`${indent}state "${node.key}" as ${id}`);
    return;
  }
  out.push(`${indent}state "${node.key}" as ${id} {`);
  if (node.type === 'parallel') {
    children.forEach((child, i) => {
      if (i > 0) out.push(`${indent}  --`);
      declare(child, `${indent}  `, out, edges);
    });
  } else {
    const initial = node.initial?.target?.[0] as AnyStateNode | undefined;
    if (initial !== undefined) out.push(`${indent}  [*] --> ${mermaidId(initial)}`);
    for (const child of children) declare(child, `${indent}  `, out, edges);
    const ids = new Set(children.map(mermaidId));
    for (const e of edges) if (ids.has(e.from) && ids.has(e.to)) out.push(`${indent}  ${e.from} --> ${e.to} : ${e.label}`);
  }
  out.push(`${indent}}`);
}

export function machineToMermaid(machine: AnyStateMachine): string {
  const edges: Edge[] = [];
  const notes = new Map<string, string[]>();
  collect(machine.root, edges, notes);
  // Merge parallel edges between the same two states into one arrow with all labels.
  const merged = new Map<string, Edge>();
  for (const e of edges) {
    const key = `${e.from}->${e.to}`;
    const seen = merged.get(key);
    merged.set(key, seen === undefined ? e : { ...seen, label: seen.label.includes(e.label) ? seen.label : `${seen.label}<br/>${e.label}` });
  }
  const out: string[] = ['stateDiagram-v2'];
  declare(machine.root, '  ', out, [...merged.values()]);
  const placed = new Set(out.filter((l) => l.includes('-->')).map((l) => l.trim()));
  for (const e of merged.values()) {
    const line = `${e.from} --> ${e.to} : ${e.label}`;
    if (!placed.has(line)) out.push(`  ${line}`);
  }
  for (const [id, list] of notes) out.push(`  note right of ${id}\n    ${list.join('<br/>\n    ')}\n  end note`);
  return `${out.join('\n')}\n`;
}

/** The whole docs/state-machine.md page. */
export function stateMachineDoc(machine: AnyStateMachine): string {
  return [
    '# The HA state machine',
    '',
    'Generated from `haMachine` (packages/core/src/machine/machine.ts) by `npm run docs:machine`;',
    'a test fails when this page is stale. Edges labelled `[decide]` are taken when the pure handler',
    '`decide()` (packages/core/src/machine/decide.ts, spec §2) picks that target at an evaluation',
    'point; see docs/architecture.md for the events and effects.',
    '',
    '```mermaid',
    machineToMermaid(machine).trimEnd(),
    '```',
    '',
  ].join('\n');
}
