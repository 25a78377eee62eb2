/**
 * A Stryker ignorer (loaded by path through `appendPlugins`): leaves prose unmutated — error
 * messages, warnings and descriptions, whose wording no security rule depends on. Codes beside
 * them (`"unknown_key"`, `"invalid_request"`) are single words and stay mutated, as do scope
 * lists and headers. Everything a message interpolates is message too.
 */
import { declareValuePlugin, PluginKind } from "@stryker-mutator/api/plugin";

/** The parts of a babel NodePath this ignorer reads. */
interface PathLike {
  readonly node: { readonly type: string; readonly value?: unknown; readonly quasis?: ReadonlyArray<{ readonly value: { readonly cooked?: string | null; readonly raw: string } }> };
}

/** Sentences: four or more words, or two or more ending like a sentence. */
export function isProse(text: string): boolean {
  const words = text.trim().split(/\s+/).filter((w) => /[A-Za-z]{2}/.test(w));
  return words.length >= 4 || (words.length >= 2 && /[.!?:)]\s*$/.test(text));
}

function textOf(node: PathLike["node"]): string | undefined {
  if (node.type === "StringLiteral" && typeof node.value === "string") return node.value;
  if (node.type === "TemplateLiteral" && node.quasis !== undefined) return node.quasis.map((q) => q.value.cooked ?? q.value.raw).join(" ");
  return undefined;
}

export const proseIgnorer = {
  shouldIgnore(path: PathLike): string | undefined {
    const text = textOf(path.node);
    return text !== undefined && isProse(text) ? "prose: a message's wording, not a decision" : undefined;
  },
};

export const strykerPlugins = [declareValuePlugin(PluginKind.Ignore, "prose", proseIgnorer)];
