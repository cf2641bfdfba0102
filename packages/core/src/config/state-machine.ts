/**
 * The `state-machine.states` pause list (spec §4, CFG-23/24): every label starts at `never`;
 * a label may be configured once.
 */
import { fail } from './errors.js';
import { childPath } from './json-path.js';
import { hasMember, isJsonMap, member, readString, rejectUnknownKeys, type JsonMap } from './json-reader.js';
import { isPausableLabel, isPauseMode, PAUSABLE_LABELS, unknownStateText, unsupportedPauseText } from './labels.js';
import type { PausableLabel, PauseMode } from './types.js';

const STATE_KEYS: ReadonlySet<string> = new Set(['state', 'pause']);

export type PauseSettings = Record<PausableLabel, PauseMode>;

export function readPauseSettings(states: readonly unknown[], statesPath: string): PauseSettings {
  const settings = Object.fromEntries(PAUSABLE_LABELS.map((label) => [label, 'never'])) as PauseSettings;
  const configured = new Set<PausableLabel>();
  states.forEach((entry, index) => {
    const path = childPath(statesPath, index);
    if (!isJsonMap(entry)) fail(path, 'state-not-map', 'state configuration must be a map');
    rejectUnknownKeys(entry, STATE_KEYS, path, 'state configuration');
    const label = readString(entry, 'state', path);
    if (!isPausableLabel(label)) fail(childPath(path, 'state'), 'state-label', unknownStateText(label));
    if (configured.has(label)) fail(childPath(path, 'state'), 'state-duplicated', `duplicated configuration for the '${label}' state`);
    configured.add(label);
    const pause = hasMember(entry, 'pause') ? readString(entry, 'pause', path) : 'never';
    if (!isPauseMode(pause)) fail(childPath(path, 'pause'), 'pause-value', unsupportedPauseText(pause));
    settings[label] = pause;
  });
  return settings;
}

const STATE_MACHINE_KEYS: ReadonlySet<string> = new Set(['states']);

export interface LocatedStates {
  readonly states: readonly unknown[];
  readonly path: string;
}

/** Kea checks the shape of `state-machine` early and reads its entries only after the peers. */
export function locateStates(relationship: JsonMap, relationshipPath: string): LocatedStates {
  const path = childPath(relationshipPath, 'state-machine');
  const statesPath = childPath(path, 'states');
  if (!hasMember(relationship, 'state-machine')) return { states: [], path: statesPath };
  const stateMachine = member(relationship, 'state-machine');
  if (!isJsonMap(stateMachine)) fail(path, 'state-machine-not-map', "'state-machine' parameter must be a map");
  rejectUnknownKeys(stateMachine, STATE_MACHINE_KEYS, path, 'state-machine configuration');
  if (!hasMember(stateMachine, 'states')) return { states: [], path: statesPath };
  const states = member(stateMachine, 'states');
  if (!Array.isArray(states)) fail(statesPath, 'states-not-list', "'states' parameter must be a list");
  return { states, path: statesPath };
}
