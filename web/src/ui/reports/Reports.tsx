import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { api, type ReportQuery } from '../../api/endpoints';
import type { AgentsReport, BotsReport, ConversationsReport, CostsReport, MessagesReport, ReportInterval } from '../../api/types';
import { useI18n } from '../../i18n';
import { errorText } from '../../lib/errors';
import { dateTime } from '../../lib/format';
import { saveFile } from '../../lib/privacy';
import { countsOf, duration, keysByCount, lastDays } from '../../lib/reports';
import { ErrorBox, Spinner } from '../common';
import { useToasts } from '../Toasts';
import { Chart } from './Chart';
import { reasonKey, useReportText } from './text';

interface Data {
  conversations: ConversationsReport;
  agents: AgentsReport;
  messages: MessagesReport;
  costs: CostsReport;
  bots: BotsReport;
}

type ReportName = 'conversations' | 'agents' | 'messages' | 'costs' | 'bots';

/**
 * Reports is a separate chunk, loaded only when someone opens the screen,
 * so its charts and tables never weigh on the inbox's first load.
 */
export default function Reports() {
  const { t: tMain, locale } = useI18n();
  const t = useReportText();
  const toasts = useToasts();
  const [draft, setDraft] = useState<ReportQuery>(() => ({ ...lastDays(new Date(), 30), interval: 'day' }));
  const [q, setQ] = useState<ReportQuery>(draft);
  const [data, setData] = useState<Data | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState('');

  useEffect(() => {
    const ctl = new AbortController();
    setLoading(true);
    Promise.all([
      api.reportConversations(q, ctl.signal),
      api.reportAgents(q, ctl.signal),
      api.reportMessages(q, ctl.signal),
      api.reportCosts(q, ctl.signal),
      api.reportBots(q, ctl.signal),
    ])
      .then(([conversations, agents, messages, costs, bots]) => {
        setData({ conversations, agents, messages, costs, bots });
        setError('');
      })
      .catch((err: unknown) => {
        if (!ctl.signal.aborted) setError(errorText(tMain, err));
      })
      .finally(() => {
        if (!ctl.signal.aborted) setLoading(false);
      });
    return () => ctl.abort();
  }, [q, tMain]);

  const units = useMemo(
    () => ({ s: t('reports.unit.s'), min: t('reports.unit.min'), h: t('reports.unit.h'), d: t('reports.unit.d') }),
    [t],
  );
  const dur = (s: number | null | undefined) => duration(s, units);
  const minutes = (s: number | null) => (s === null ? null : s / 60);
  const int = new Intl.NumberFormat(locale);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setQ({ ...draft });
  };
  const preset = (days: number) => {
    const next = { ...draft, ...lastDays(new Date(), days) };
    setDraft(next);
    setQ(next);
  };
  const csv = async (report: ReportName) => {
    try {
      const { blob, filename } = await api.reportCSV(report, q);
      const name = filename || `switchboard-${report}.csv`;
      saveFile(blob, name);
      toasts.show({ text: t('reports.downloaded', { file: name }), tone: 'success' });
    } catch (err) {
      toasts.show({ text: errorText(tMain, err), tone: 'error' });
    }
  };
  const csvButton = (report: ReportName) => (
    <button type="button" className="btn btn-small" onClick={() => void csv(report)} data-testid={`csv-${report}`}>
      {t('reports.csv')}
    </button>
  );

  const conv = data?.conversations;
  const msgs = data?.messages;
  const costs = data?.costs;
  const bots = data?.bots;
  const categories = keysByCount(costs?.total.billable_by_category);
  const category = (c: string) => c || t('reports.noCategory');
  const reasonText = (r: string) => {
    const key = reasonKey(r);
    return key ? t(key) : r;
  };
  const labels = conv?.periods.map((p) => p.period) ?? [];

  return (
    <div className="page page-wide reports">
      <div className="page-head">
        <h1>{t('reports.title')}</h1>
        {conv && <span className="hint">{t('reports.tz', { tz: conv.tz })}</span>}
      </div>
      <form className="filter-grid" onSubmit={apply} data-testid="report-range">
        <label>
          {t('reports.from')}
          <input type="date" value={draft.from} max={draft.to} onChange={(e) => setDraft({ ...draft, from: e.target.value })} name="from" />
        </label>
        <label>
          {t('reports.to')}
          <input type="date" value={draft.to} min={draft.from} onChange={(e) => setDraft({ ...draft, to: e.target.value })} name="to" />
        </label>
        <label>
          {t('reports.interval')}
          <select
            value={draft.interval}
            onChange={(e) => setDraft({ ...draft, interval: e.target.value as ReportInterval })}
            name="interval"
          >
            <option value="day">{t('reports.day')}</option>
            <option value="week">{t('reports.week')}</option>
            <option value="month">{t('reports.month')}</option>
          </select>
        </label>
        <div className="filter-actions">
          <button type="submit" className="btn btn-primary">
            {t('reports.apply')}
          </button>
          {[7, 30, 90].map((n) => (
            <button key={n} type="button" className="btn" onClick={() => preset(n)}>
              {t('reports.lastDays', { n })}
            </button>
          ))}
        </div>
      </form>
      <ErrorBox text={error} />
      {loading && <Spinner label={tMain('common.loading')} />}
      {conv && msgs && data && (
        <>
          <section className="report-section" aria-labelledby="r-conv">
            <div className="report-head">
              <h2 id="r-conv">{t('reports.conversations')}</h2>
              {csvButton('conversations')}
            </div>
            <Chart
              kind="bar"
              title={t('reports.conversations')}
              labels={labels}
              testId="chart-conversations"
              series={[
                { name: t('reports.opened'), values: conv.periods.map((p) => p.opened) },
                { name: t('reports.resolved'), values: conv.periods.map((p) => p.resolved) },
                { name: t('reports.reopened'), values: conv.periods.map((p) => p.reopened) },
                { name: t('reports.backlog'), values: conv.periods.map((p) => p.backlog) },
              ]}
            />
            <p className="report-def">{t('reports.defConversations')}</p>
            <p className="report-def">{t('reports.defBacklog')}</p>
            <div className="table-wrap">
              <table className="table table-dense" data-testid="table-conversations">
                <thead>
                  <tr>
                    <th scope="col">{t('reports.period')}</th>
                    <th scope="col">{t('reports.opened')}</th>
                    <th scope="col">{t('reports.resolved')}</th>
                    <th scope="col">{t('reports.reopened')}</th>
                    <th scope="col">{t('reports.unanswered')}</th>
                    <th scope="col">{t('reports.backlog')}</th>
                  </tr>
                </thead>
                <tbody>
                  {conv.periods.map((p) => (
                    <tr key={p.period}>
                      <td className="nowrap">{p.period}</td>
                      <td>{int.format(p.opened)}</td>
                      <td>{int.format(p.resolved)}</td>
                      <td>{int.format(p.reopened)}</td>
                      <td>{int.format(p.unanswered)}</td>
                      <td>{int.format(p.backlog)}</td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <th scope="row">{t('reports.total')}</th>
                    <td>{int.format(conv.total.opened)}</td>
                    <td>{int.format(conv.total.resolved)}</td>
                    <td>{int.format(conv.total.reopened)}</td>
                    <td>{int.format(conv.total.unanswered)}</td>
                    <td>{int.format(conv.total.backlog)}</td>
                  </tr>
                </tfoot>
              </table>
            </div>
          </section>

          <section className="report-section" aria-labelledby="r-times">
            <div className="report-head">
              <h2 id="r-times">{t('reports.times')}</h2>
            </div>
            <Chart
              kind="line"
              title={t('reports.times')}
              labels={labels}
              testId="chart-times"
              formatY={(v) => `${Math.round(v)} ${units.min}`}
              series={[
                { name: t('reports.firstMedian'), values: conv.periods.map((p) => minutes(p.first_response.median_seconds)) },
                { name: t('reports.firstP90'), values: conv.periods.map((p) => minutes(p.first_response.p90_seconds)) },
                { name: t('reports.resMedian'), values: conv.periods.map((p) => minutes(p.resolution.median_seconds)) },
                {
                  name: t('reports.firstBusinessMedian'),
                  values: conv.periods.map((p) => minutes(p.first_response_business.median_seconds)),
                },
              ]}
            />
            <p className="report-def">{t('reports.defFirst')}</p>
            <p className="report-def">{t('reports.defResolution')}</p>
            <p className="report-def">{t('reports.defBusiness')}</p>
            <div className="table-wrap">
              <table className="table table-dense" data-testid="table-times">
                <thead>
                  <tr>
                    <th scope="col">{t('reports.period')}</th>
                    <th scope="col">{t('reports.firstMedian')}</th>
                    <th scope="col">{t('reports.firstP90')}</th>
                    <th scope="col">{t('reports.resMedian')}</th>
                    <th scope="col">{t('reports.resP90')}</th>
                    <th scope="col">{t('reports.firstBusinessMedian')}</th>
                    <th scope="col">{t('reports.resBusinessMedian')}</th>
                  </tr>
                </thead>
                <tbody>
                  {[...conv.periods, { ...conv.total, period: t('reports.total') }].map((p) => (
                    <tr key={p.period}>
                      <td className="nowrap">{p.period}</td>
                      <td>{dur(p.first_response.median_seconds)}</td>
                      <td>{dur(p.first_response.p90_seconds)}</td>
                      <td>{dur(p.resolution.median_seconds)}</td>
                      <td>{dur(p.resolution.p90_seconds)}</td>
                      <td>{dur(p.first_response_business.median_seconds)}</td>
                      <td>{dur(p.resolution_business.median_seconds)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>

          <section className="report-section" aria-labelledby="r-agents">
            <div className="report-head">
              <h2 id="r-agents">{t('reports.agents')}</h2>
              {csvButton('agents')}
            </div>
            <p className="report-def">{t('reports.defAgents')}</p>
            <div className="table-wrap">
              <table className="table table-dense" data-testid="table-agents">
                <thead>
                  <tr>
                    <th scope="col">{t('reports.employee')}</th>
                    <th scope="col">{t('reports.assigned')}</th>
                    <th scope="col">{t('reports.replied')}</th>
                    <th scope="col">{t('reports.resolved')}</th>
                    <th scope="col">{t('reports.messagesSent')}</th>
                    <th scope="col">{t('reports.medianFirst')}</th>
                    <th scope="col">{t('reports.sessions')}</th>
                    <th scope="col">{t('reports.lastSeen')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.agents.agents.map((a) => (
                    <tr key={a.user_id}>
                      <td>
                        {a.name}
                        {!a.active && <span className="tag">{t('reports.inactive')}</span>}
                      </td>
                      <td>{int.format(a.assigned)}</td>
                      <td>{int.format(a.replied)}</td>
                      <td>{int.format(a.resolved)}</td>
                      <td>{int.format(a.messages_sent)}</td>
                      <td>{dur(a.first_response.median_seconds)}</td>
                      <td>{int.format(a.sessions_started)}</td>
                      <td className="nowrap">{a.last_seen_at ? dateTime(a.last_seen_at, locale) : t('reports.never')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>

          <section className="report-section" aria-labelledby="r-msgs">
            <div className="report-head">
              <h2 id="r-msgs">{t('reports.messages')}</h2>
              {csvButton('messages')}
            </div>
            <Chart
              kind="bar"
              title={t('reports.messages')}
              labels={msgs.periods.map((p) => p.period)}
              testId="chart-messages"
              series={[
                { name: t('reports.in'), values: msgs.periods.map((p) => p.in) },
                { name: t('reports.out'), values: msgs.periods.map((p) => p.out) },
                { name: t('reports.failed'), values: msgs.periods.map((p) => p.failed) },
              ]}
            />
            <p className="report-def">{t('reports.defMessages')}</p>
            <div className="table-wrap">
              <table className="table table-dense" data-testid="table-messages">
                <thead>
                  <tr>
                    <th scope="col">{t('reports.period')}</th>
                    <th scope="col">{t('reports.in')}</th>
                    <th scope="col">{t('reports.out')}</th>
                    <th scope="col">{t('reports.failed')}</th>
                    <th scope="col">{t('reports.byType')}</th>
                  </tr>
                </thead>
                <tbody>
                  {[...msgs.periods, { ...msgs.total, period: t('reports.total') }].map((p) => (
                    <tr key={p.period}>
                      <td className="nowrap">{p.period}</td>
                      <td>{int.format(p.in)}</td>
                      <td>{int.format(p.out)}</td>
                      <td>{int.format(p.failed)}</td>
                      <td className="detail">
                        {Object.entries({ ...p.in_by_type })
                          .map(([k, v]) => `↓ ${k} ${v}`)
                          .concat(Object.entries({ ...p.out_by_type }).map(([k, v]) => `↑ ${k} ${v}`))
                          .join(', ')}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <h3>{t('reports.errors')}</h3>
            {msgs.errors.length === 0 ? (
              <p className="hint">{t('reports.noErrors')}</p>
            ) : (
              <table className="table table-dense" data-testid="table-errors">
                <thead>
                  <tr>
                    <th scope="col">{t('reports.errorCode')}</th>
                    <th scope="col">{t('reports.count')}</th>
                  </tr>
                </thead>
                <tbody>
                  {msgs.errors.map((e) => (
                    <tr key={e.code}>
                      <td>
                        <code>{e.code || '—'}</code>
                      </td>
                      <td>{int.format(e.count)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>

          {costs && (
            <section className="report-section" aria-labelledby="r-costs">
              <div className="report-head">
                <h2 id="r-costs">{t('reports.costs')}</h2>
                {csvButton('costs')}
              </div>
              <Chart
                kind="bar"
                title={t('reports.costs')}
                labels={costs.periods.map((p) => p.period ?? '')}
                testId="chart-costs"
                series={categories.map((c) => ({
                  name: category(c),
                  values: countsOf(costs.periods, (p) => p.billable_by_category, c),
                }))}
              />
              <p className="report-def">{t('reports.defCosts')}</p>
              {costs.total.priced === 0 ? (
                <p className="hint">{t('reports.noCosts')}</p>
              ) : (
                <>
                  <div className="table-wrap">
                    <table className="table table-dense" data-testid="table-costs">
                      <thead>
                        <tr>
                          <th scope="col">{t('reports.period')}</th>
                          <th scope="col">{t('reports.priced')}</th>
                          <th scope="col">{t('reports.billable')}</th>
                          {categories.map((c) => (
                            <th scope="col" key={c}>
                              {category(c)}
                            </th>
                          ))}
                        </tr>
                      </thead>
                      <tbody>
                        {[...costs.periods, { ...costs.total, period: t('reports.total') }].map((p) => (
                          <tr key={p.period}>
                            <td className="nowrap">{p.period}</td>
                            <td>{int.format(p.priced)}</td>
                            <td>{int.format(p.billable)}</td>
                            {categories.map((c) => (
                              <td key={c}>{int.format(p.billable_by_category[c] ?? 0)}</td>
                            ))}
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                  <h3>{t('reports.pricing')}</h3>
                  <table className="table table-dense" data-testid="table-pricing">
                    <thead>
                      <tr>
                        <th scope="col">{t('reports.billable')}</th>
                        <th scope="col">{t('reports.category')}</th>
                        <th scope="col">{t('reports.pricingType')}</th>
                        <th scope="col">{t('reports.pricingModel')}</th>
                        <th scope="col">{t('reports.count')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {costs.pricing.map((r) => (
                        <tr key={`${r.billable}|${r.category}|${r.type}|${r.pricing_model}`}>
                          <td>{r.billable ? t('reports.yes') : t('reports.no')}</td>
                          <td>{category(r.category)}</td>
                          <td>
                            <code>{r.type || '—'}</code>
                          </td>
                          <td>{r.pricing_model || '—'}</td>
                          <td>{int.format(r.messages)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </>
              )}
            </section>
          )}

          {bots && (
            <section className="report-section" aria-labelledby="r-bots">
              <div className="report-head">
                <h2 id="r-bots">{t('reports.bots')}</h2>
                {csvButton('bots')}
              </div>
              <Chart
                kind="bar"
                title={t('reports.bots')}
                labels={bots.periods.map((p) => p.period ?? '')}
                testId="chart-bots"
                series={[
                  { name: t('reports.toBot'), values: bots.periods.map((p) => p.to_bot) },
                  { name: t('reports.handedOff'), values: bots.periods.map((p) => p.handed_off) },
                ]}
              />
              <p className="report-def">{t('reports.defBots')}</p>
              {bots.total.to_bot === 0 && bots.total.handed_off === 0 ? (
                <p className="hint">{t('reports.noBots')}</p>
              ) : (
                <>
                  <div className="table-wrap">
                    <table className="table table-dense" data-testid="table-bots">
                      <thead>
                        <tr>
                          <th scope="col">{t('reports.period')}</th>
                          <th scope="col">{t('reports.toBot')}</th>
                          <th scope="col">{t('reports.handedBack')}</th>
                          <th scope="col">{t('reports.handedOff')}</th>
                        </tr>
                      </thead>
                      <tbody>
                        {[...bots.periods, { ...bots.total, period: t('reports.total') }].map((p) => (
                          <tr key={p.period}>
                            <td className="nowrap">{p.period}</td>
                            <td>{int.format(p.to_bot)}</td>
                            <td>{int.format(p.handed_back)}</td>
                            <td>{int.format(p.handed_off)}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                  <h3>{t('reports.reasons')}</h3>
                  <table className="table table-dense" data-testid="table-reasons">
                    <thead>
                      <tr>
                        <th scope="col">{t('reports.reason')}</th>
                        <th scope="col">{t('reports.handedOff')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {bots.reasons.map((r) => (
                        <tr key={r.reason}>
                          <td>{reasonText(r.reason)}</td>
                          <td>{int.format(r.count)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </>
              )}
            </section>
          )}
        </>
      )}
    </div>
  );
}
