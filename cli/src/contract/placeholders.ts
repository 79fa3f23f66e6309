/**
 * The text an offline run (the preview's mock runtime) deploys where a stack that builds no images has no promoted
 * digest yet: `<promote: COMMAND>`, with the command that writes the digests. It is no image reference, so nothing
 * can pull it, and the preview's verdict (`preview/deployability.ts`) names the command. A program makes it with
 * {@link promotePlaceholder}; the real engine should refuse such a stack instead (this project's config.ts does).
 * @example
 * promotePlaceholder("npm run promote -- --from dev --to prod"); // "<promote: npm run promote -- --from dev --to prod>"
 */
export function promotePlaceholder(command: string): string {
  return `<promote: ${command}>`;
}

/**
 * The command of the first {@link promotePlaceholder} inside `text`, if it holds one.
 * @example
 * placeholderCommand("<promote: npm run promote -- --from dev --to prod>"); // "npm run promote -- --from dev --to prod"
 */
export function placeholderCommand(text: string): string | undefined {
  return /<promote: ([^<>]+)>/.exec(text)?.[1];
}
