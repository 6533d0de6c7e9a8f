import { createContext, useContext } from 'react';
import type { NoticeInput } from '../lib/notices';

// The notice context: what the state layer and the screens use to show a
// notice. The strip that renders the notices is a UI module
// (src/ui/Toasts.tsx, ToastProvider); keeping the context here lets the
// store raise notices without importing UI code.

export type Toast = NoticeInput;

export interface Toasts {
  show: (t: Toast) => void;
  /** dismissGroup removes a group's notice, e.g. when its conversation is opened. */
  dismissGroup: (group: string) => void;
}

/** ToastContext is provided by ToastProvider (src/ui/Toasts.tsx). */
export const ToastContext = createContext<Toasts | null>(null);

export function useToasts(): Toasts {
  const v = useContext(ToastContext);
  if (!v) throw new Error('useToasts outside ToastProvider');
  return v;
}
