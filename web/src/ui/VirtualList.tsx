import { forwardRef, useCallback, useEffect, useImperativeHandle, useLayoutEffect, useRef, useState, type ReactNode } from 'react';

/** visibleRange is the slice of fixed-height rows to render for a scroll position, with overscan on both sides. */
export function visibleRange(
  scrollTop: number,
  viewport: number,
  rowHeight: number,
  count: number,
  overscan: number,
): { start: number; end: number } {
  if (count === 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const visible = Math.ceil(Math.max(viewport, rowHeight) / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visible + overscan);
  return { start, end };
}

export interface VirtualListHandle {
  /** scrollToIndex scrolls just enough to show row i. */
  scrollToIndex: (i: number) => void;
}

interface Props {
  count: number;
  rowHeight: number;
  overscan?: number;
  className?: string;
  label: string;
  /** Called when the last rows come into view, to load the next page. */
  onEndReached?: () => void;
  renderRow: (index: number) => ReactNode;
  footer?: ReactNode;
}

/**
 * VirtualList renders only the rows in view (plus overscan) of a list of
 * fixed-height rows, so ten thousand conversations scroll like ten. Rows are
 * positioned with transforms set through the CSSOM, which the CSP permits.
 */
export const VirtualList = forwardRef<VirtualListHandle, Props>(function VirtualList(props, ref) {
  const { count, rowHeight, overscan = 6, onEndReached, renderRow } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);
  const frame = useRef(0);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    setViewport(el.clientHeight);
    const ro = new ResizeObserver(() => setViewport(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const onScroll = useCallback(() => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      const el = scroller.current;
      if (el) setScrollTop(el.scrollTop);
    });
  }, []);

  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  useImperativeHandle(
    ref,
    () => ({
      scrollToIndex: (i: number) => {
        const el = scroller.current;
        if (!el) return;
        const top = i * rowHeight;
        if (top < el.scrollTop) el.scrollTop = top;
        else if (top + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = top + rowHeight - el.clientHeight;
      },
    }),
    [rowHeight],
  );

  // Guard against a layout that fails to bound the list's height: never render more than two screens.
  const bounded = Math.min(viewport, typeof window === 'undefined' ? viewport : window.innerHeight * 2);
  const { start, end } = visibleRange(scrollTop, bounded, rowHeight, count, overscan);

  useEffect(() => {
    if (onEndReached && count > 0 && end >= count - 3) onEndReached();
  }, [end, count, onEndReached]);

  const spacer = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    spacer.current?.style.setProperty('height', `${count * rowHeight}px`);
  }, [count, rowHeight]);

  const rows: ReactNode[] = [];
  for (let i = start; i < end; i++) {
    rows.push(
      <Row key={i} top={i * rowHeight} height={rowHeight}>
        {renderRow(i)}
      </Row>,
    );
  }

  return (
    <div ref={scroller} className={`vlist ${props.className ?? ''}`} onScroll={onScroll}>
      <div ref={spacer} className="vlist-spacer">
        <ul className="vlist-rows" aria-label={props.label}>
          {rows}
        </ul>
      </div>
      {props.footer}
    </div>
  );
});

function Row({ top, height, children }: { top: number; height: number; children: ReactNode }) {
  const ref = useRef<HTMLLIElement>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.setProperty('transform', `translateY(${top}px)`);
    el.style.setProperty('height', `${height}px`);
  }, [top, height]);
  return (
    <li ref={ref} className="vlist-row">
      {children}
    </li>
  );
}
