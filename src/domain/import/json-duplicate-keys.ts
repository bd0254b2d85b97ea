// JSON.parse silently keeps the last of duplicated object keys; the safetensors spec forbids them and
// the Rust reference rejects them. This scanner finds the first duplicate in text that JSON.parse has
// already accepted (so it only has to track strings and nesting, not full syntax).

export interface DuplicateKey {
  key: string;
  /** The key of the enclosing object's value, '' for the top level. */
  parent: string;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export function findDuplicateKey(validJson: string): DuplicateKey | null {
  // One frame per open container: a key set for objects (null for arrays) and the key it is the value of.
  const stack: Array<{ keys: Set<string> | null; name: string }> = [];
  let expectKey = false;
  let lastKey = '';
  const n = validJson.length;
  let i = 0;
  while (i < n) {
    const c = validJson.charCodeAt(i);
    if (c === QUOTE) {
      let j = i + 1;
      let escaped = false;
      for (;;) {
        const d = validJson.charCodeAt(j);
        if (d === BACKSLASH) {
          escaped = true;
          j += 2;
          continue;
        }
        if (d === QUOTE) break;
        j++;
      }
      const top = stack[stack.length - 1];
      if (expectKey && top?.keys) {
        // Decode escapes so that "a" and "\u0061" count as the same key, as a JSON reader sees them.
        const key = escaped ? (JSON.parse(validJson.slice(i, j + 1)) as string) : validJson.slice(i + 1, j);
        if (top.keys.has(key)) return { key, parent: top.name };
        top.keys.add(key);
        lastKey = key;
        expectKey = false;
      }
      i = j + 1;
      continue;
    }
    switch (c) {
      case 0x7b: // {
        stack.push({ keys: new Set(), name: containerName(stack, lastKey) });
        expectKey = true;
        break;
      case 0x5b: // [
        stack.push({ keys: null, name: containerName(stack, lastKey) });
        expectKey = false;
        break;
      case 0x7d: // }
      case 0x5d: // ]
        stack.pop();
        expectKey = false;
        break;
      case 0x2c: // ,
        expectKey = stack[stack.length - 1]?.keys != null;
        break;
      default:
        break;
    }
    i++;
  }
  return null;
}

/** A new container is the value of the last key read in an object, or inherits an array's name. */
function containerName(stack: ReadonlyArray<{ keys: Set<string> | null; name: string }>, lastKey: string): string {
  const parent = stack[stack.length - 1];
  if (!parent) return '';
  return parent.keys ? lastKey : parent.name;
}
