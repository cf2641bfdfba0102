/**
 * Client class membership for one query, in Kea's order: the classes the caller assigned (the HA
 * core's `HA_<server>`), `ALL`, then configured tests in definition order; tests that depend on
 * KNOWN/UNKNOWN run after the host reservation lookup; `only-if-required` classes run only when
 * the selected subnet or pool requires them.
 */
import { evaluateClassExpression } from '../config/class-expression.js';
import type { ClientClass4 } from '../config/types.js';

/** Insertion-ordered, because the first class that sets a value (lifetime, option) wins. */
export type ClassSet = Set<string>;

export class Classifier {
  readonly #classes: readonly ClientClass4[];
  readonly #byName: ReadonlyMap<string, ClientClass4>;

  constructor(classes: readonly ClientClass4[]) {
    this.#classes = classes;
    this.#byName = new Map(classes.map((c) => [c.name, c]));
  }

  definition(name: string): ClientClass4 | undefined {
    return this.#byName.get(name);
  }

  /** Before subnet selection. */
  initial(assigned: readonly string[]): ClassSet {
    const classes: ClassSet = new Set(assigned);
    classes.add('ALL');
    this.#evaluate(classes, (c) => !c.onlyIfRequired && !c.dependsOnKnown);
    return classes;
  }

  /** After the host lookup: KNOWN or UNKNOWN, the reservation's classes, then the tests depending on them. */
  afterHostLookup(classes: ClassSet, known: boolean, reservedClasses: readonly string[]): void {
    classes.add(known ? 'KNOWN' : 'UNKNOWN');
    for (const name of reservedClasses) classes.add(name);
    this.#evaluate(classes, (c) => !c.onlyIfRequired && c.dependsOnKnown);
  }

  /** Classes the subnet and pool name in `require-client-classes`; those without a test are not assigned. */
  required(classes: ClassSet, names: readonly string[]): void {
    if (names.length === 0) return;
    const wanted = new Set(names);
    this.#evaluate(classes, (c) => wanted.has(c.name));
  }

  #evaluate(classes: ClassSet, applies: (c: ClientClass4) => boolean): void {
    const isMember = (name: string) => classes.has(name);
    for (const definition of this.#classes) {
      if (definition.test === undefined || classes.has(definition.name) || !applies(definition)) continue;
      if (evaluateClassExpression(definition.test, isMember)) classes.add(definition.name);
    }
  }
}
