// The power map: draws the graph of the element [data-powermap] with Cytoscape.js (vendored in
// powermap/vendor/cytoscape, loaded before this module). Wired by data- attributes only:
//   data-src            the JSON view of the same filters as the page (nodes, edges, path)
//   [data-powermap-canvas]   where the graph is drawn
//   [data-powermap-status]   a polite live region: what is shown, what is under the pointer
//   [data-sector-swatch=S]   the legend's swatch of sector S: its colour is the nodes' colour
//   [data-powermap-size]     a <select>: size nodes by "influence" or "pagerank"
// Clicking (or tapping) a node opens its stakeholder page. Nodes on the highlighted path (the
// JSON's `path`, ordered ids) and the ties between them are drawn on top, the rest faded.
// Without JavaScript the page's table shows the same data.

const SHAPES = {
  champion: "star",
  supportive: "ellipse",
  neutral: "round-rectangle",
  skeptical: "triangle",
  opposed: "diamond",
  unknown: "hexagon",
};
const BIG_GRAPH = 400; // above this many nodes a force layout is too slow: concentric rings instead

function colour(element, property, fallback) {
  const value = element ? getComputedStyle(element).getPropertyValue(property).trim() : "";
  return value || fallback;
}

function sectorColours(root) {
  const colours = {};
  for (const swatch of root.querySelectorAll("[data-sector-swatch]")) {
    colours[swatch.dataset.sectorSwatch] = colour(swatch, "background-color", "#999");
  }
  return colours;
}

function sizer(nodes, metric) {
  let max = 0;
  for (const node of nodes) max = Math.max(max, Number(node[metric]) || 0);
  return (node) => {
    const value = Number(node[metric]) || 0;
    return Math.round(18 + 42 * Math.sqrt(max > 0 ? value / max : 0.25));
  };
}

function elements(data, colours, metric) {
  const size = sizer(data.nodes, metric);
  const onPath = new Set(data.path || []);
  const nodes = data.nodes.map((node) => ({
    group: "nodes",
    data: {
      id: String(node.id),
      label: node.name,
      colour: colours[node.sector] || colours.other || "#999",
      shape: SHAPES[node.position] || "ellipse",
      size: size(node),
      node,
    },
    classes: [
      node.member ? "member" : "",
      node.target ? "target" : "",
      onPath.has(node.id) ? "on-path" : "",
    ].join(" "),
  }));
  const pathEdges = pathEdgeIds(data);
  const edges = data.edges.map((edge) => ({
    group: "edges",
    data: {
      id: `e${edge.id}`,
      source: String(edge.source),
      target: String(edge.target),
      width: Math.max(1, Math.min(6, Number(edge.weight) || 1)),
      edge,
    },
    classes: [
      edge.directed ? "directed" : "",
      edge.kind === "opposes" ? "opposes" : "",
      pathEdges.has(edge.id) ? "on-path" : "",
    ].join(" "),
  }));
  return nodes.concat(edges);
}

// The ties that join consecutive stakeholders of the path (one per step, either direction).
function pathEdgeIds(data) {
  const path = data.path || [];
  const chosen = new Set();
  for (let i = 0; i + 1 < path.length; i += 1) {
    const a = path[i];
    const b = path[i + 1];
    const tie = data.edges.find(
      (e) => (e.source === a && e.target === b) || (!e.directed && e.source === b && e.target === a),
    ) || data.edges.find((e) => e.source === b && e.target === a);
    if (tie) chosen.add(tie.id);
  }
  return chosen;
}

function stylesheet(root) {
  const text = colour(root, "color", "#222");
  const accent = colour(root.querySelector("[data-powermap-accent]"), "color", "#0f766e");
  const muted = colour(root.querySelector("[data-powermap-muted]"), "color", "#888");
  return [
    {
      selector: "node",
      style: {
        "background-color": "data(colour)",
        shape: "data(shape)",
        width: "data(size)",
        height: "data(size)",
        label: "data(label)",
        color: text,
        "font-size": 10,
        "text-valign": "bottom",
        "text-margin-y": 3,
        "text-wrap": "ellipsis",
        "text-max-width": 120,
        "min-zoomed-font-size": 7,
        "border-width": 1,
        "border-color": muted,
      },
    },
    { selector: "node.member", style: { "border-width": 3, "border-color": text } },
    { selector: "node.target", style: { "border-width": 3, "border-style": "double", "border-color": text } },
    {
      selector: "edge",
      style: {
        width: "data(width)",
        "line-color": muted,
        "target-arrow-color": muted,
        "curve-style": "bezier",
        opacity: 0.55,
      },
    },
    { selector: "edge.directed", style: { "target-arrow-shape": "triangle", "arrow-scale": 0.8 } },
    { selector: "edge.opposes", style: { "line-style": "dashed" } },
    { selector: ".faded", style: { opacity: 0.15, "text-opacity": 0.3 } },
    {
      selector: "node.on-path",
      style: { "border-width": 5, "border-color": accent, "z-index": 10, "font-weight": "bold" },
    },
    {
      selector: "edge.on-path",
      style: {
        width: 5,
        "line-color": accent,
        "target-arrow-color": accent,
        opacity: 1,
        "z-index": 10,
      },
    },
    { selector: "node:active, node.hover", style: { "overlay-opacity": 0.15 } },
  ];
}

function layout(count, metric) {
  if (count > BIG_GRAPH) {
    return {
      name: "concentric",
      concentric: (node) => Number(node.data("node")[metric]) || 0,
      levelWidth: () => 1,
      minNodeSpacing: 4,
      animate: false,
    };
  }
  return { name: "cose", animate: false, randomize: false, nodeRepulsion: () => 9000, idealEdgeLength: () => 70, numIter: 1500 };
}

function say(status, text) {
  if (status) status.textContent = text;
}

async function start(root) {
  const canvas = root.querySelector("[data-powermap-canvas]");
  const status = root.querySelector("[data-powermap-status]");
  const sizeSelect = root.querySelector("[data-powermap-size]");
  if (!canvas || typeof window.cytoscape !== "function") return;
  canvas.dataset.state = "loading";
  let data;
  try {
    const response = await fetch(root.dataset.src, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) throw new Error(`${response.status}`);
    data = await response.json();
  } catch (error) {
    canvas.dataset.state = "error";
    say(status, "The map could not be loaded; the table below shows the same stakeholders.");
    return;
  }
  const colours = sectorColours(document);
  let metric = (sizeSelect && sizeSelect.value) || root.dataset.sizeBy || "influence";
  const cy = window.cytoscape({
    container: canvas,
    elements: elements(data, colours, metric),
    style: stylesheet(root),
    layout: layout(data.nodes.length, metric),
    minZoom: 0.05,
    maxZoom: 4,
    wheelSensitivity: 0.3,
  });
  window.powermap = cy; // for the browser test and for curious users in the console
  canvas.dataset.state = "ready";
  root.dataset.ready = "";
  root.dataset.nodes = String(data.nodes.length);

  const summary = data.truncated
    ? `Showing ${data.shown} of ${data.total} stakeholders (the ${data.limit} most influential); narrow the filters to see others.`
    : `Showing ${data.shown} stakeholder${data.shown === 1 ? "" : "s"} and ${data.edges.length} relationship${data.edges.length === 1 ? "" : "s"}.`;

  const path = data.path || [];
  if (path.length) {
    const onPath = cy.elements(".on-path");
    cy.elements().not(onPath).addClass("faded");
    cy.fit(onPath, 80);
    if (cy.zoom() > 1.5) {
      // a short path would fill the canvas: keep its neighbours in view
      cy.zoom(1.5);
      cy.center(onPath);
    }
    root.dataset.pathShown = path.join(" ");
    say(status, `${summary} The path to the target is highlighted: ${path.length - 1} step${path.length === 2 ? "" : "s"}.`);
  } else {
    say(status, summary);
  }

  cy.on("tap", "node", (event) => {
    const url = event.target.data("node").url;
    if (url) window.location.assign(url);
  });
  cy.on("mouseover", "node", (event) => {
    const node = event.target.data("node");
    event.target.addClass("hover");
    canvas.title = `${node.name} · ${node.sector_label} · ${node.position_label}`;
  });
  cy.on("mouseout", "node", (event) => {
    event.target.removeClass("hover");
    canvas.title = "";
  });

  if (sizeSelect) {
    sizeSelect.addEventListener("change", () => {
      metric = sizeSelect.value;
      const size = sizer(data.nodes, metric);
      cy.batch(() => {
        cy.nodes().forEach((n) => n.data("size", size(n.data("node"))));
      });
    });
  }
}

for (const root of document.querySelectorAll("[data-powermap]")) {
  start(root);
}
