import type { EdgeHealth, GraphEdge, GraphNode, PipelineGraph } from "../../admin/pipeline-graph.ts";
import { useI18n } from "../i18n-context.tsx";

/**
 * The trust graph as inline SVG, laid out on the server, in two shapes: wide (the hub — the
 * controller, else this instance — on the left, the others stacked on the right, one curve per
 * direction) and tall for phones (the hub on top, the others below it, outbound lanes on the
 * left, inbound on the right). The stylesheet shows one. Colour, dashes and the words on each
 * edge say its health, so colour is never the only cue. An edge's words are two lines, its
 * health and until when its token holds (a date and time as every admin page writes one), set
 * away from its path, and near the peer's end of it, clear of the hub's box.
 */
export const edgeHealths: EdgeHealth[] = ["ok", "unhealthy", "no_token", "expired"];

const box = { w: 230, h: 84 };
const lineHeight = 17;

interface Placed {
  width: number;
  height: number;
  nodes: { node: GraphNode; x: number; y: number }[];
  /** `y` is the baseline of the line nearest the path: a second line goes above it ("up") or below ("down"). */
  edges: { edge: GraphEdge; path: string; label: { x: number; y: number; anchor: "start" | "end"; stack: "up" | "down" } }[];
}

function split(graph: PipelineGraph) {
  const hub = graph.nodes.find((n) => n.controller) ?? graph.nodes.find((n) => n.self)!;
  const others = graph.nodes.filter((n) => n !== hub).sort((a, b) => Number(b.self) - Number(a.self) || a.name.localeCompare(b.name));
  return { hub, others };
}

/** Pairs with the hub only: a pipeline's edges all touch the controller, and records all touch this instance. */
const hubEdges = (graph: PipelineGraph, hub: GraphNode) => graph.edges.filter((e) => (e.from === hub.key) !== (e.to === hub.key));

function wide(graph: PipelineGraph): Placed {
  const { hub, others } = split(graph);
  const width = 760;
  const row = 150;
  const left = 16;
  const right = width - 16 - box.w;
  const height = Math.max(1, others.length) * row + 20;
  const y = new Map(others.map((n, i) => [n.key, 10 + i * row + (row - box.h) / 2]));
  y.set(hub.key, height / 2 - box.h / 2);
  const mid = (key: string) => y.get(key)! + box.h / 2;
  const edges = hubEdges(graph, hub).map((edge) => {
    const out = edge.from === hub.key;
    const peer = out ? edge.to : edge.from;
    const shift = out ? -16 : 16;
    const a = { x: left + box.w, y: mid(hub.key) + shift };
    const b = { x: right, y: mid(peer) + shift };
    const [from, to] = out ? [a, b] : [b, a];
    const c = (a.x + b.x) / 2;
    return { edge, path: `M${from.x},${from.y} C${c},${from.y} ${c},${to.y} ${to.x},${to.y}`, label: { x: right - 12, y: mid(peer) + (out ? -26 : 38), anchor: "end" as const, stack: out ? ("up" as const) : ("down" as const) } };
  });
  return { width, height, nodes: [{ node: hub, x: left, y: y.get(hub.key)! }, ...others.map((node) => ({ node, x: right, y: y.get(node.key)! }))], edges };
}

function tall(graph: PipelineGraph): Placed {
  const { hub, others } = split(graph);
  const width = 400;
  const x = (width - box.w) / 2;
  const row = 160;
  const top = 10;
  const y = new Map(others.map((n, i) => [n.key, top + box.h + 76 + i * row]));
  y.set(hub.key, top);
  const height = top + box.h + Math.max(1, others.length) * row + 10;
  const index = new Map(others.map((n, i) => [n.key, i]));
  const edges = hubEdges(graph, hub).map((edge) => {
    const out = edge.from === hub.key;
    const peer = out ? edge.to : edge.from;
    const i = index.get(peer)!;
    // One lane per peer on each side, so no two lines share a stretch.
    const laneOut = x - 14 - i * 10;
    const laneIn = x + box.w + 14 + i * 10;
    const hubY = top + box.h / 2 + (i - (others.length - 1) / 2) * 8;
    const peerY = y.get(peer)! + box.h / 2;
    const path = out ? `M${x},${hubY} H${laneOut} V${peerY} H${x}` : `M${x + box.w},${peerY} H${laneIn} V${hubY} H${x + box.w}`;
    // Both directions' words sit in the gap above the peer, outbound over inbound: four lines in its 76 px.
    const labelY = y.get(peer)! - (out ? 42 : 8);
    return { edge, path, label: out ? { x: x + 4, y: labelY, anchor: "start" as const, stack: "up" as const } : { x: x + box.w - 4, y: labelY, anchor: "end" as const, stack: "up" as const } };
  });
  return { width, height, nodes: [{ node: hub, x, y: top }, ...others.map((node) => ({ node, x, y: y.get(node.key)! }))], edges };
}

function Node(props: { node: GraphNode; x: number; y: number }) {
  const { t } = useI18n();
  const { node } = props;
  const tags = [node.self ? t("pipeline.thisInstance") : "", node.controller ? t("pipeline.controller") : ""].filter(Boolean).join(" · ");
  return (
    <g class={`graph-node${node.self ? " graph-node-self" : ""}`} data-node={node.name} data-url={node.url} data-self={node.self ? "true" : undefined} data-controller={node.controller ? "true" : undefined}>
      <rect x={props.x} y={props.y} width={box.w} height={box.h} rx="10" />
      <text x={props.x + 14} y={props.y + 30} class="graph-node-name">
        {node.name}
      </text>
      <text x={props.x + 14} y={props.y + 52} class="graph-node-url">
        {new URL(node.url).host}
      </text>
      {tags ? (
        <text x={props.x + 14} y={props.y + 72} class="graph-node-tags">
          {tags}
        </text>
      ) : null}
    </g>
  );
}

export function TrustGraph(props: { graph: PipelineGraph; shape: "wide" | "tall" }) {
  const { t, dateTime } = useI18n();
  const placed = props.shape === "wide" ? wide(props.graph) : tall(props.graph);
  const names = new Map(props.graph.nodes.map((n) => [n.key, n.name]));
  const name = (key: string) => names.get(key) ?? key;
  const id = (what: string) => `${props.shape}-${what}`;
  return (
    <svg class={`trust-graph trust-graph-${props.shape}`} viewBox={`0 0 ${placed.width} ${placed.height}`} role="img" aria-labelledby={`${id("title")} ${id("desc")}`}>
      <title id={id("title")}>{t("pipeline.graphTitle")}</title>
      <desc id={id("desc")}>{t("pipeline.graphDesc", { nodes: props.graph.nodes.length, edges: props.graph.edges.length })}</desc>
      <defs>
        {edgeHealths.map((health) => (
          <marker id={id(`arrow-${health}`)} class={`graph-arrow graph-arrow-${health}`} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" />
          </marker>
        ))}
      </defs>
      {placed.edges.map(({ edge, path, label }) => {
        const health = t(`pipeline.health.${edge.health}`);
        const until = edge.renewsOnNextUse ? t("pipeline.renewsOnNextUse") : edge.expiresAt !== null && edge.health !== "no_token" ? t("pipeline.expiresShort", { time: dateTime(edge.expiresAt) }) : "";
        const arrow = props.shape === "tall" ? `${edge.from === placed.nodes[0]!.node.key ? "↓" : "↑"} ` : "";
        return (
          <g class={`graph-edge graph-edge-${edge.health}`} data-edge={`${name(edge.from)}→${name(edge.to)}`} data-health={edge.health}>
            <title>{t("pipeline.edgeTitle", { from: name(edge.from), to: name(edge.to), health, record: edge.record })}</title>
            <path d={path} marker-end={`url(#${id(`arrow-${edge.health}`)})`} />
            <text x={label.x} y={until && label.stack === "up" ? label.y - lineHeight : label.y} text-anchor={label.anchor} class="graph-edge-label">
              <tspan class="graph-edge-health">{`${arrow}${health}`}</tspan>
              {until ? (
                <tspan x={label.x} dy={lineHeight} class="graph-edge-until">
                  {until}
                </tspan>
              ) : null}
            </text>
          </g>
        );
      })}
      {placed.nodes.map((n) => (
        <Node node={n.node} x={n.x} y={n.y} />
      ))}
    </svg>
  );
}
