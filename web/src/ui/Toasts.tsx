import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { expireNotices, nextExpiry, pushNotice, resumeNotices, type Notice } from '../lib/notices';
import { ToastContext as Ctx, type Toast } from '../state/toasts';

// The context and useToasts live in the state layer (src/state/toasts.ts),
// which must not import UI modules; screens keep importing them from here.
export { useToasts, type Toast } from '../state/toasts';
const SlotCtx = createContext<(el: HTMLElement | null) => void>(() => {});

/**
 * ToastProvider shows short notices in an aria-live strip. Inside the app
 * the strip sits in the page's flow above the main area (see NoticeSlot),
 * so it never lies over a button; it pauses while the pointer or the focus
 * is on it, and each notice has a close button.
 */
export function ToastProvider({ children, closeLabel }: { children: ReactNode; closeLabel: string }) {
  const [items, setItems] = useState<Notice[]>([]);
  const [slot, setSlot] = useState<HTMLElement | null>(null);
  const seq = useRef(0);
  const pausedAt = useRef(0);
  const [paused, setPaused] = useState(false);

  const dismiss = useCallback((id: number) => setItems((xs) => xs.filter((x) => x.id !== id)), []);
  const dismissGroup = useCallback((group: string) => setItems((xs) => (xs.some((x) => x.group === group) ? xs.filter((x) => x.group !== group) : xs)), []);
  const show = useCallback((t: Toast) => {
    seq.current += 1;
    const id = seq.current;
    setItems((xs) => pushNotice(xs, t, id, Date.now()));
  }, []);

  const pause = useCallback((on: boolean) => {
    if (on) {
      if (!pausedAt.current) pausedAt.current = Date.now();
    } else if (pausedAt.current) {
      const d = Date.now() - pausedAt.current;
      pausedAt.current = 0;
      setItems((xs) => resumeNotices(xs, d));
    }
    setPaused(on);
  }, []);

  // One timer, for the notice that goes next; none while paused.
  useEffect(() => {
    if (paused || items.length === 0) return;
    const wait = Math.max(0, nextExpiry(items) - Date.now());
    const id = setTimeout(() => setItems((xs) => expireNotices(xs, Date.now())), wait + 10);
    return () => clearTimeout(id);
  }, [items, paused]);

  const value = useMemo(() => ({ show, dismissGroup }), [show, dismissGroup]);
  const strip = (
    <div
      className={slot ? 'notices' : 'notices notices-float'}
      role="status"
      aria-live="polite"
      aria-atomic="false"
      data-testid="notices"
      onPointerEnter={() => pause(true)}
      onPointerLeave={() => pause(false)}
      onFocus={() => pause(true)}
      onBlur={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) pause(false);
      }}
    >
      {items.map((x) => (
        <div key={x.id} className={`toast toast-${x.tone}`} data-testid="notice" data-group={x.group}>
          <span className="toast-text">
            {x.text}
            {x.count > 1 && <span className="toast-count"> ({x.count})</span>}
          </span>
          {x.action && (
            <button
              type="button"
              className="btn btn-small"
              onClick={() => {
                x.action?.run();
                dismiss(x.id);
              }}
            >
              {x.action.label}
            </button>
          )}
          <button type="button" className="icon-btn" aria-label={closeLabel} onClick={() => dismiss(x.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
  return (
    <Ctx.Provider value={value}>
      <SlotCtx.Provider value={setSlot}>{children}</SlotCtx.Provider>
      {slot ? createPortal(strip, slot) : strip}
    </Ctx.Provider>
  );
}

/** NoticeSlot is where the app places the notice strip: in the flow, so it pushes content rather than covering it. */
export function NoticeSlot() {
  const setSlot = useContext(SlotCtx);
  const ref = useCallback((el: HTMLDivElement | null) => setSlot(el), [setSlot]);
  return <div ref={ref} className="notice-slot" />;
}
