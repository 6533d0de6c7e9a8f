import type { components } from '../api/schema';

type LabelRef = components['schemas']['LabelRef'];

/** LabelChips shows a conversation's labels as small chips in their colour. */
export function LabelChips({ labels }: { labels: LabelRef[] | undefined }) {
  if (!labels || labels.length === 0) return null;
  return (
    <span className="label-chips">
      {labels.map((l) => (
        <span key={l.id} className="label-chip">
          <span className="label-dot" style={{ backgroundColor: l.color }} aria-hidden="true" />
          {l.name}
        </span>
      ))}
    </span>
  );
}
