import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';

export interface Toast {
  text: string;
  tone?: 'info' | 'error' | 'success';
  action?: { label: string; run: () => void };
}

interface Shown extends Toast {
  id: number;
}

interface Toasts {
  show: (t: Toast) => void;
}

const Ctx = createContext<Toasts | null>(null);

const lifetime = 6000;

/** ToastProvider shows short messages in an aria-live region, so screen readers announce them. */
export function ToastProvider({ children, closeLabel }: { children: ReactNode; closeLabel: string }) {
  const [items, setItems] = useState<Shown[]>([]);
  const seq = useRef(0);
  const dismiss = useCallback((id: number) => setItems((xs) => xs.filter((x) => x.id !== id)), []);
  const show = useCallback(
    (t: Toast) => {
      seq.current += 1;
      const id = seq.current;
      setItems((xs) => [...xs.slice(-3), { ...t, id }]);
      setTimeout(() => dismiss(id), t.tone === 'error' ? lifetime * 2 : lifetime);
    },
    [dismiss],
  );
  const value = useMemo(() => ({ show }), [show]);
  return (
    <Ctx.Provider value={value}>
      {children}
      <div className="toasts" role="status" aria-live="polite" aria-atomic="false">
        {items.map((x) => (
          <div key={x.id} className={`toast toast-${x.tone ?? 'info'}`}>
            <span className="toast-text">{x.text}</span>
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
    </Ctx.Provider>
  );
}

export function useToasts(): Toasts {
  const v = useContext(Ctx);
  if (!v) throw new Error('useToasts outside ToastProvider');
  return v;
}
