/**
 * YAML text → documents, each with a map from JSON pointer to where that
 * node and its key sit in the file, so a schema error on `/stages/1/timeout`
 * can be reported as `file:line:col`. js-yaml 5's event stream carries the
 * offsets; its AST does not.
 */
import {
  CORE_SCHEMA, EVENT_ID, SCALAR_STYLE, YAMLException, constructFromEvents, getScalarValue, mergeTag, parseEvents,
  type Event,
} from 'js-yaml';
import { RulesError } from '../errors';
import { problemAt, type SourceLocation } from './problems';

const RULES_SCHEMA = CORE_SCHEMA.withTags(mergeTag);
/** Anchors are handy for shared stage settings; thousands of them are an attack, not a rule file. */
const MAX_ALIASES = 200;

export interface SourceDocument {
  file: string;
  /** 0-based position of the document in its file. */
  index: number;
  value: unknown;
  /** Where the node at `pointer` starts (falling back to its nearest located ancestor). */
  valueAt(pointer: string): SourceLocation;
  /** Where the key naming `pointer` sits; the value's place when it has no key (list items, the root). */
  keyAt(pointer: string): SourceLocation;
}

interface Frame {
  pointer: string;
  isMapping: boolean;
  nextIndex: number;
  /** For a mapping: the key just read, waiting for its value. */
  pendingKey?: string;
}

export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Parses every document of `text`; a syntax error is thrown as a RulesError with its location. */
export function parseRulesYaml(text: string, file: string): SourceDocument[] {
  const lines = lineStarts(text);
  const locate = (offset: number): SourceLocation => locationOf(lines, file, offset);
  let events: Event[];
  let values: unknown[];
  try {
    events = parseEvents(text, { filename: file });
    values = constructFromEvents(events, { source: text, filename: file, schema: RULES_SCHEMA, maxAliases: MAX_ALIASES });
  } catch (error) {
    if (error instanceof YAMLException) throw yamlProblem(error, file);
    throw error;
  }

  const documents: SourceDocument[] = [];
  let valueOffsets = new Map<string, number>();
  let keyOffsets = new Map<string, number>();
  let stack: Frame[] = [];
  const finish = (): void => {
    const index = documents.length;
    const values_ = valueOffsets;
    const keys = keyOffsets;
    documents.push({
      file,
      index,
      value: values[index],
      valueAt: (pointer) => locate(nearest(values_, pointer) ?? 0),
      keyAt: (pointer) => locate(keys.get(pointer) ?? nearest(values_, pointer) ?? 0),
    });
  };

  for (const event of events) {
    if (event.type === EVENT_ID.DOCUMENT) {
      valueOffsets = new Map();
      keyOffsets = new Map();
      stack = [];
      continue;
    }
    if (event.type === EVENT_ID.POP) {
      if (stack.length === 0) finish();
      else stack.pop();
      continue;
    }
    const offset = nodeOffset(event);
    const parent = stack[stack.length - 1];
    if (parent?.isMapping && parent.pendingKey === undefined) {
      // A key. Only scalar keys name a property; others cannot match a schema anyway.
      const key = event.type === EVENT_ID.SCALAR ? getScalarValue(text, event) : '?';
      parent.pendingKey = key;
      keyOffsets.set(`${parent.pointer}/${escapePointerToken(key)}`, offset);
      if (event.type === EVENT_ID.MAPPING || event.type === EVENT_ID.SEQUENCE) {
        stack.push({ pointer: `${parent.pointer}/?`, isMapping: event.type === EVENT_ID.MAPPING, nextIndex: 0 });
      }
      continue;
    }
    let pointer = '';
    if (parent?.isMapping) {
      pointer = `${parent.pointer}/${escapePointerToken(parent.pendingKey!)}`;
      parent.pendingKey = undefined;
    } else if (parent) {
      pointer = `${parent.pointer}/${parent.nextIndex}`;
      parent.nextIndex += 1;
    }
    valueOffsets.set(pointer, offset);
    if (event.type === EVENT_ID.MAPPING || event.type === EVENT_ID.SEQUENCE) {
      stack.push({ pointer, isMapping: event.type === EVENT_ID.MAPPING, nextIndex: 0 });
    }
  }
  return documents;
}

function nodeOffset(event: Exclude<Event, { type: typeof EVENT_ID.DOCUMENT | typeof EVENT_ID.POP }>): number {
  switch (event.type) {
    case EVENT_ID.SCALAR: {
      const quoted = event.style === SCALAR_STYLE.SINGLE_QUOTED || event.style === SCALAR_STYLE.DOUBLE_QUOTED;
      const start = quoted ? event.valueStart - 1 : event.valueStart;
      return firstMarker(start, event.anchorStart, event.tagStart);
    }
    case EVENT_ID.ALIAS:
      return event.anchorStart - 1;
    default:
      return firstMarker(event.start, event.anchorStart, event.tagStart);
  }
}

/** A node written `&anchor !tag value` starts at its anchor or tag. */
function firstMarker(start: number, anchorStart: number, tagStart: number): number {
  let first = start;
  if (anchorStart >= 0) first = Math.min(first, anchorStart - 1);
  if (tagStart >= 0) first = Math.min(first, tagStart);
  return first;
}

function nearest(offsets: Map<string, number>, pointer: string): number | undefined {
  let current = pointer;
  for (;;) {
    const offset = offsets.get(current);
    if (offset !== undefined) return offset;
    if (current === '') return undefined;
    current = current.slice(0, current.lastIndexOf('/'));
  }
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let index = 0; index < text.length; index += 1) if (text.charCodeAt(index) === 10) starts.push(index + 1);
  return starts;
}

function locationOf(starts: number[], file: string, offset: number): SourceLocation {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (starts[middle]! <= offset) low = middle;
    else high = middle - 1;
  }
  return { file, line: low + 1, column: offset - starts[low]! + 1 };
}

function yamlProblem(error: YAMLException, file: string): RulesError {
  const mark = error.mark;
  const location: SourceLocation = mark ? { file, line: mark.line + 1, column: mark.column + 1 } : { file, line: 1, column: 1 };
  return new RulesError([problemAt(location, 'yaml', `YAML syntax: ${error.reason}`)]);
}
