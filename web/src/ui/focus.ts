// Where the keyboard focus goes when the inbox changes under it.

export function focusComposer(): boolean {
  const el = (document.getElementById('composer-input') ?? document.getElementById('note-input')) as HTMLTextAreaElement | null;
  if (!el || el.disabled) return false;
  el.focus();
  return true;
}

// A conversation opened from the keyboard wants its composer focused as
// soon as it renders, so what is typed next is the reply, not shortcuts.
let composerWanted = '';

/** wantComposer asks the composer of conversation id to take the focus when it mounts. */
export function wantComposer(id: string): void {
  composerWanted = id;
}

/** takeComposerWish reports (once) whether the composer of id should take the focus. */
export function takeComposerWish(id: string): boolean {
  if (composerWanted !== id) return false;
  composerWanted = '';
  return true;
}
