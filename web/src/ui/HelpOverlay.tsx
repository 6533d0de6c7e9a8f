import { useI18n, type Key } from '../i18n';
import { Dialog } from './common';

// Each shortcut is a list of alternatives; each alternative is a list of
// keys pressed together. "j or ↓" must not read as the chord "j + ↓".
const shortcuts: [string[][], Key][] = [
  [[['j'], ['↓']], 'help.next'],
  [[['k'], ['↑']], 'help.prev'],
  [[['Enter']], 'help.open'],
  [[['a']], 'help.assign'],
  [[['i']], 'help.assignMe'],
  [[['/']], 'help.search'],
  [[['r']], 'help.reply'],
  [[['n']], 'help.note'],
  [[['Esc']], 'help.escape'],
  [[['?']], 'help.help'],
  [[['Enter']], 'help.send'],
  [[['Shift', 'Enter']], 'help.newline'],
  [[['Alt', 'Enter']], 'help.suggestion'],
  [[['/']], 'help.canned'],
];

export function HelpOverlay({ onClose }: { onClose: () => void }) {
  const { t } = useI18n();
  return (
    <Dialog title={t('help.title')} onClose={onClose}>
      <table className="shortcuts">
        <tbody>
          {shortcuts.map(([keys, label], i) => (
            <tr key={i}>
              <td>
                {keys.map((chord, a) => (
                  <span key={chord.join('+')}>
                    {a > 0 && ` ${t('help.or')} `}
                    {chord.map((k, j) => (
                      <span key={k}>
                        {j > 0 && ' + '}
                        <kbd>{k}</kbd>
                      </span>
                    ))}
                  </span>
                ))}
              </td>
              <td>{t(label)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
