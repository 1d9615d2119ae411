// Whether to offer the walkthrough: once per user. VS Code opens it by itself only when the
// extension is installed into a running window; installed from the command line or synced, not.
// No `vscode` import, so unit tests run it.

/** `publisher.name#id` of `contributes.walkthroughs[0]` in package.json. */
export const WALKTHROUGH_ID = 'gradlens.gradlens#getStarted';

const OFFERED_KEY = 'gradlens.walkthroughOffered';

/** The slice of `ExtensionContext.globalState` this needs. */
export interface OfferState {
  get(key: string): unknown;
  update(key: string, value: unknown): Thenable<void>;
}

/** True the first time it is called for this user (and records that); false afterwards. */
export async function firstOffer(state: OfferState): Promise<boolean> {
  if (state.get(OFFERED_KEY) === true) return false;
  await state.update(OFFERED_KEY, true);
  return true;
}
