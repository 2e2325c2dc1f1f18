import type { PipelineGraph } from "../../admin/pipeline-graph.ts";
import { renderPage } from "../layout.tsx";
import { AdminShell, type Viewer } from "./admin-layout.tsx";
import { PageHeader } from "./components.tsx";
import { edgeHealths, TrustGraph } from "./trust-graph.tsx";
import { worded } from "../../../i18n/stored-text.ts";

function Legend(props: { viewer: Viewer }) {
  const { t } = props.viewer.i18n;
  return (
    <section class="graph-legend" aria-labelledby="legend-title">
      <h2 id="legend-title">{t("pipeline.legend")}</h2>
      <ul>
        {edgeHealths.map((health) => (
          <li data-legend={health}>
            <svg class="legend-swatch" viewBox="0 0 40 12" aria-hidden="true">
              <line class={`graph-edge-${health}`} x1="2" y1="6" x2="38" y2="6" />
            </svg>
            <span>{t(`pipeline.legend.${health}`)}</span>
          </li>
        ))}
        <li>
          <span class="legend-mark" aria-hidden="true">
            →
          </span>
          <span>{t("pipeline.legend.arrow")}</span>
        </li>
        <li>
          <span class="legend-mark legend-self" aria-hidden="true"></span>
          <span>{t("pipeline.legend.self")}</span>
        </li>
      </ul>
    </section>
  );
}

export function pipelinePage(props: { viewer: Viewer; graph: PipelineGraph }): string {
  const { t, dateTime } = props.viewer.i18n;
  const { graph } = props;
  const names = new Map(graph.nodes.map((n) => [n.key, n.name]));
  const sorted = [...graph.edges].sort((a, b) => (names.get(a.from) ?? "").localeCompare(names.get(b.from) ?? "") || (names.get(a.to) ?? "").localeCompare(names.get(b.to) ?? ""));
  return renderPage(
    <AdminShell title={t("pipeline.title")} active="pipeline" viewer={props.viewer}>
      <PageHeader title={t("pipeline.title")} />
      <p class="muted">{t("pipeline.lead")}</p>
      {graph.run ? (
        <p class={`run-summary ${graph.run.ok ? "run-ok" : "run-bad"}`} data-run={graph.run.kind}>
          {t("pipeline.run", { kind: graph.run.kind, when: dateTime(graph.run.recordedAt), ok: graph.run.ok ? "true" : "false" })}
        </p>
      ) : (
        <p class="alert alert-info">{t("pipeline.noRun")}</p>
      )}
      {graph.run && graph.run.drift.length > 0 ? (
        <div class="alert alert-error">
          <p>{t("pipeline.drift")}</p>
          <ul>
            {graph.run.drift.map((d) => (
              <li class="wrap">{worded(d, t)}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {graph.edges.length === 0 ? (
        <p class="empty">{t("pipeline.empty")}</p>
      ) : (
        <>
          <figure class="graph-figure">
            <TrustGraph graph={graph} shape="wide" />
            <TrustGraph graph={graph} shape="tall" />
          </figure>
          <Legend viewer={props.viewer} />
          <h2>{t("pipeline.edges")}</h2>
          <div class="table-wrap">
            <table class="list pipeline-edges">
              <thead>
                <tr>
                  <th scope="col">{t("pipeline.col.from")}</th>
                  <th scope="col">{t("pipeline.col.to")}</th>
                  <th scope="col">{t("pipeline.col.health")}</th>
                  <th scope="col">{t("pipeline.col.expires")}</th>
                  <th scope="col">{t("pipeline.col.record")}</th>
                  <th scope="col">{t("pipeline.col.source")}</th>
                </tr>
              </thead>
              <tbody>
                {sorted.map((edge) => (
                  <tr data-edge-row={`${names.get(edge.from)}→${names.get(edge.to)}`} data-health={edge.health}>
                    <td>{names.get(edge.from)}</td>
                    <td>{names.get(edge.to)}</td>
                    <td>
                      <span class={`pill pill-health-${edge.health}`}>{t(`pipeline.health.${edge.health}`)}</span>
                      {edge.reason ? <span class="edge-reason">{worded(edge.reason, t)}</span> : null}
                    </td>
                    <td>{edge.expiresAt === null ? "—" : dateTime(edge.expiresAt)}</td>
                    <td>
                      <span class="nowrap">{edge.record}</span>
                      {edge.profile ? <span class="edge-reason">{t("pipeline.profile", { profile: edge.profile })}</span> : null}
                    </td>
                    <td>{t(`pipeline.source.${edge.source}`)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </AdminShell>,
  );
}
