/**
 * The operator's dashboard, built apart from the page (studio/build.ts) and loaded only when an
 * admin opens its tab, so a seller's page never carries the chart library. Plain DOM and uPlot: it
 * draws into the element the page gives it.
 */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { DashboardData } from "./api.js";

type Say = (key: string) => string;

const css = (name: string, fallback: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;

function section(parent: HTMLElement, title: string, kind: string) {
  const box = document.createElement("section");
  box.className = "chart";
  box.dataset.chart = kind;
  const h = document.createElement("h2");
  h.textContent = title;
  box.append(h);
  parent.append(box);
  return box;
}

/** One chart of daily series over the 30 days, sized to the screen's width. */
function lines(parent: HTMLElement, title: string, kind: string, data: DashboardData, series: Array<{ label: string; values: number[]; colour: string }>) {
  const box = section(parent, title, kind);
  const x = data.days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
  const width = Math.max(240, parent.clientWidth || 360);
  const text = css("--tg-theme-text-color", "#000");
  const axis = { stroke: text, grid: { stroke: "rgba(128,128,128,0.2)" }, ticks: { stroke: "rgba(128,128,128,0.3)" } };
  return new uPlot(
    {
      width,
      height: 180,
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      axes: [axis, axis],
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.colour, width: 2, points: { show: false } }))],
    },
    [x, ...series.map((s) => s.values)],
    box,
  );
}

/** A short list: label and number on each line. */
function list(parent: HTMLElement, title: string, kind: string, rows: Array<[string, string | number]>, none: string) {
  const box = section(parent, title, kind);
  const ul = document.createElement("ul");
  ul.className = "list";
  for (const [label, value] of rows.length ? rows : [[none, ""] as [string, string]]) {
    const li = document.createElement("li");
    const a = document.createElement("span");
    a.textContent = label;
    const b = document.createElement("span");
    b.textContent = String(value);
    li.append(a, b);
    ul.append(li);
  }
  box.append(ul);
}

const duration = (seconds: number) => (seconds >= 60 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s` : `${seconds} s`);

/** Draws the dashboard into `root`; returns a function that takes it away. */
export function mount(root: HTMLElement, data: DashboardData, say: Say) {
  const accent = css("--tg-theme-button-color", "#2481cc");
  const danger = css("--tg-theme-destructive-text-color", "#e53935");
  const plots = [
    lines(root, say("dashboard-videos"), "videos", data, [
      { label: say("dashboard-made"), values: data.made, colour: accent },
      { label: say("dashboard-failed"), values: data.failed, colour: danger },
    ]),
    lines(root, say("dashboard-stars"), "stars", data, [
      { label: say("dashboard-received"), values: data.starsReceived, colour: "#f5a623" },
      { label: say("dashboard-refunded"), values: data.starsRefunded, colour: danger },
    ]),
    lines(root, say("dashboard-credits"), "credits", data, [{ label: say("dashboard-spent"), values: data.creditsSpent, colour: accent }]),
  ];
  list(root, say("dashboard-failures"), "failures", data.failures.map((f) => [f.reason, f.count]), say("dashboard-none"));
  list(root, say("dashboard-median"), "median", data.medianSeconds === null ? [] : [["", duration(data.medianSeconds)]], say("dashboard-none"));
  list(root, say("dashboard-queue"), "queue", Object.entries(data.queue), say("dashboard-none"));
  return () => {
    for (const plot of plots) plot.destroy();
    root.replaceChildren();
  };
}
