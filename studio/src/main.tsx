import "./styles.css";
import { render } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { absolute, api, ApiError, setLaunchData, type ActionResult, type Balance, type Choice, type DashboardData, type GalleryPage, type Item, type Job, type Me, type PlanView, type Settings, type TemplateChoice } from "./api.js";
import { canDownloadInTelegram, downloadInTelegram, openInvoice, startTelegram, showTelegramBack } from "./telegram.js";

/**
 * What the page says before the API has told it the user's language (no launch data, or refused
 * launch data): both languages, taken from locales/ at build time.
 */
declare const BUILT_TEXTS: Record<string, string>;
/** The dashboard's own script and stylesheet (studio/build.ts), fetched only when an admin opens its tab. */
declare const DASHBOARD_ASSETS: { js: string; css: string };

type Tab = "gallery" | "jobs" | "balance" | "settings" | "dashboard";
const TABS: Tab[] = ["gallery", "jobs", "balance", "settings"];
const JOBS_POLL_MS = 3_000;

let texts: Record<string, string> = {};
let locale = "en";
const say = (key: string) => texts[key] ?? BUILT_TEXTS[key] ?? key;

/** One line at the bottom of the screen for a few seconds: what an action did. */
let showToast: (text: string) => void = () => {};
function Toast() {
  const [text, setText] = useState<string | null>(null);
  const timer = useRef<number>();
  showToast = (next) => {
    setText(next);
    clearTimeout(timer.current);
    timer.current = window.setTimeout(() => setText(null), 4_000);
  };
  return text ? (
    <div class="toast" role="status">
      {text}
    </div>
  ) : null;
}

/** What went wrong, as the user is told: the server's own words when it has some (wait a moment, a private bot). */
const failureText = (error: unknown) => (error instanceof ApiError && error.text ? error.text : say("studio-failed"));

/** A failed load, with a way to try again; an expired session says how to get a fresh one. */
function Failure({ error, retry }: { error: unknown; retry?: () => void }) {
  const expired = error instanceof ApiError && error.status === 401;
  return (
    <div class="notice">
      <p>{expired ? say("studio-expired") : failureText(error)}</p>
      {retry && !expired && <button onClick={retry}>{say("studio-retry")}</button>}
    </div>
  );
}

/** An API answer for a screen: loaded when it mounts, again on `reload`, and replaceable by an action's answer. */
function useApi<T>(path: string) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const reload = useCallback(async () => {
    try {
      setData(await api<T>(path));
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, [path]);
  useEffect(() => void reload(), [reload]);
  return { data, error, reload, setData };
}

/** A video again, with links good for another STUDIO_MEDIA_LINK_TTL_S; null when it cannot be had just now. */
const renewed = (item: Item) => api<Item>(`videos/${encodeURIComponent(item.id)}`).catch(() => null);

/**
 * A video's links, renewed shortly before they expire (an hour by default), so a page left open
 * keeps playing, showing and downloading. `renew` asks at once (a link that failed early).
 */
function useFreshLinks(item: Item) {
  const [current, setCurrent] = useState(item);
  useEffect(() => setCurrent(item), [item]);
  const renew = useCallback(async () => {
    const fresh = await renewed(item);
    if (fresh) setCurrent(fresh);
    return fresh;
  }, [item]);
  useEffect(() => {
    const timer = window.setTimeout(() => void renew(), Math.max(5_000, current.linksExpireAt * 1000 - Date.now() - 10_000));
    return () => clearTimeout(timer);
  }, [current, renew]);
  return { links: current, renew };
}

/** What a screen shows until its data is there: a failure with a retry, or "loading". */
function Pending({ error, retry }: { error: unknown; retry: () => void }) {
  return error ? <Failure error={error} retry={retry} /> : <p class="hint">{say("studio-loading")}</p>;
}

const dateLabel = (iso: string) => {
  const date = new Date(iso);
  const thisYear = date.getFullYear() === new Date().getFullYear();
  return date.toLocaleDateString(locale, { day: "numeric", month: "short", ...(thisYear ? {} : { year: "numeric" }) });
};
const meta = (item: Item) => (
  <>
    {item.formatName} · {item.modelName}
    <br />
    {dateLabel(item.createdAt)}
  </>
);
/** A tab's label as its icon above its word: four fit side by side on a phone. */
function tabLabel(text: string) {
  const space = text.indexOf(" ");
  return space > 0 ? (
    <>
      <span class="icon">{text.slice(0, space)}</span>
      {text.slice(space + 1)}
    </>
  ) : (
    text
  );
}

/** Videos of one photo stay together, in the order their newest member arrived. */
function groupByPhoto(items: Item[]): Item[][] {
  const groups = new Map<string, Item[]>();
  for (const item of items) {
    const group = groups.get(item.photo);
    if (group) group.push(item);
    else groups.set(item.photo, [item]);
  }
  return [...groups.values()];
}

function Gallery({ onOpen }: { onOpen: (item: Item) => void }) {
  const [items, setItems] = useState<Item[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [filters, setFilters] = useState<GalleryPage["filters"]>();
  const [format, setFormat] = useState("");
  const [model, setModel] = useState("");
  const [state, setState] = useState<"loading" | "ready" | { error: unknown }>("loading");
  const sentinel = useRef<HTMLDivElement>(null);
  const loading = useRef(false);

  const load = useCallback(
    async (cursor: string | null) => {
      if (loading.current) return;
      loading.current = true;
      const query = new URLSearchParams({ ...(cursor ? { cursor } : {}), ...(format ? { format } : {}), ...(model ? { model } : {}) });
      try {
        const page = await api<GalleryPage>(`gallery?${query}`);
        setItems((shown) => (cursor ? [...shown, ...page.items] : page.items));
        setNext(page.next);
        if (page.filters) setFilters(page.filters);
        setState("ready");
        if (!cursor && !performance.getEntriesByName("gallery-rendered").length) requestAnimationFrame(() => performance.mark("gallery-rendered"));
      } catch (error) {
        setState({ error });
      } finally {
        loading.current = false;
      }
    },
    [format, model],
  );

  useEffect(() => void load(null), [load]);
  // A poster shown after its link expired (scrolled to an hour later) fails once: that video's links are renewed.
  const renewing = useRef(new Set<string>());
  const renewPoster = async (item: Item) => {
    if (renewing.current.has(item.poster)) return;
    renewing.current.add(item.poster);
    const fresh = await renewed(item);
    if (fresh && fresh.poster !== item.poster) setItems((shown) => shown.map((i) => (i.id === fresh.id ? fresh : i)));
  };
  // Infinite scroll: the next page is asked for while the end of the list is still a screen away.
  useEffect(() => {
    if (!next || !sentinel.current) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && void load(next), { rootMargin: "600px" });
    observer.observe(sentinel.current);
    return () => observer.disconnect();
  }, [next, load]);

  if (typeof state === "object") return <Failure error={state.error} retry={() => void load(null)} />;
  const groups = groupByPhoto(items);
  return (
    <section>
      {filters && (filters.formats.length > 1 || filters.models.length > 1) && (
        <div class="filters">
          <select aria-label={say("studio-filter-formats")} value={format} onChange={(e) => setFormat((e.target as HTMLSelectElement).value)}>
            <option value="">{say("studio-filter-formats")}</option>
            {filters.formats.map((f) => (
              <option value={f.value}>{f.label}</option>
            ))}
          </select>
          <select aria-label={say("studio-filter-models")} value={model} onChange={(e) => setModel((e.target as HTMLSelectElement).value)}>
            <option value="">{say("studio-filter-models")}</option>
            {filters.models.map((m) => (
              <option value={m.value}>{m.label}</option>
            ))}
          </select>
        </div>
      )}
      {state === "loading" && <p class="hint">{say("studio-loading")}</p>}
      {state === "ready" && items.length === 0 && <p class="notice">{say("history-empty")}</p>}
      <div class="grid">
        {groups.map((group) => (
          <article class="card" data-video={group[0]!.id} key={group[0]!.photo}>
            <button class="poster" onClick={() => onOpen(group[0]!)}>
              <img src={absolute(group[0]!.poster)} alt="" loading="lazy" onError={() => void renewPoster(group[0]!)} />
              {group.length > 1 && <span class="badge">×{group.length}</span>}
            </button>
            <p class="prompt">{group[0]!.prompt}</p>
            <p class="meta">{meta(group[0]!)}</p>
            {group.length > 1 && (
              <div class="variants" aria-label={say("studio-variants")}>
                {group.map((item, i) => (
                  <button class="chip" data-video={item.id} onClick={() => onOpen(item)}>
                    {i + 1}
                  </button>
                ))}
              </div>
            )}
          </article>
        ))}
      </div>
      <div ref={sentinel} class="sentinel" />
    </section>
  );
}

function VideoView({ item, formats, templates, onBack }: { item: Item; formats: Choice<string>[]; templates: TemplateChoice[]; onBack: () => void }) {
  const [gone, setGone] = useState(false);
  const [busy, setBusy] = useState(false);
  const { links, renew } = useFreshLinks(item);
  // The player keeps its link while it works (a new src would start it over); an expired one is
  // replaced where it failed, and playing goes on from the same second.
  const [videoSrc, setVideoSrc] = useState(item.video);
  useEffect(() => setVideoSrc(item.video), [item]);
  const resumeAt = useRef(0);
  useEffect(() => showTelegramBack(onBack), [onBack]);
  const fileName = `astrolus-${item.id}.mp4`;

  // The player cannot say why a file did not load: asking the same link tells "in the chat only"
  // and "the link expired" (fresh links, and the player tries again) from a failure.
  const onError = async (player: HTMLVideoElement) => {
    const res = await fetch(absolute(videoSrc), { method: "HEAD" }).catch(() => null);
    const fresh = res?.status === 401 ? await renew() : null;
    if (fresh) {
      resumeAt.current = player.currentTime;
      setVideoSrc(fresh.video);
      return;
    }
    setGone(res?.status === 410);
    if (res?.status !== 410) showToast(say("studio-failed"));
  };
  // 🔁, 📐 and 🎲 start videos as the buttons under it in the chat do; the answer is a toast.
  const remake = async (action: "again" | "format" | "variants" | "template" | "2k", body?: { format: string } | { template: string }) => {
    setBusy(true);
    try {
      showToast((await api<ActionResult>(`videos/${item.id}/${action}`, { method: "POST", body })).text);
    } catch (error) {
      showToast(failureText(error));
    } finally {
      setBusy(false);
    }
  };
  const download = async () => {
    try {
      await downloadInTelegram(absolute(links.download), fileName);
      showToast(say("studio-download-started"));
    } catch {
      showToast(say("studio-failed"));
    }
  };

  return (
    <section class="video">
      <button class="back" onClick={onBack}>
        {say("settings-back")}
      </button>
      {gone ? (
        <p class="notice">{say("studio-video-in-chat")}</p>
      ) : (
        <video
          src={absolute(videoSrc)}
          poster={absolute(links.poster)}
          controls
          playsInline
          preload="auto"
          onError={(e) => void onError(e.currentTarget)}
          onLoadedMetadata={(e) => {
            if (resumeAt.current) e.currentTarget.currentTime = resumeAt.current;
            resumeAt.current = 0;
          }}
        />
      )}
      <p class="prompt full">{item.prompt}</p>
      <p class="meta">{meta(item)}</p>
      <div class="actions">
        {!gone &&
          (canDownloadInTelegram() ? (
            <button onClick={() => void download()}>{say("studio-download")}</button>
          ) : (
            <a class="button" href={absolute(links.download)} download={fileName}>
              {say("studio-download")}
            </a>
          ))}
        <button disabled={busy} onClick={() => void remake("again")}>
          {say("button-again")}
        </button>
        {item.readsCameraMoves && (
          <button disabled={busy} onClick={() => void remake("variants")}>
            {say("button-pack")}
          </button>
        )}
        {item.twoK && (
          <button disabled={busy} onClick={() => void remake("2k")}>
            {item.twoK}
          </button>
        )}
      </div>
      <h2>{say("button-format")}</h2>
      <div class="choices formats">
        {formats
          .filter((f) => f.value !== item.format)
          .map((f) => (
            <button class="secondary" disabled={busy} onClick={() => void remake("format", { format: f.value })}>
              {f.label}
            </button>
          ))}
      </div>
      <h2>{say("studio-template")}</h2>
      <div class="choices templates">
        {templates
          .filter((tpl) => tpl.value !== item.template)
          .map((tpl) => (
            <button class="secondary" title={`${tpl.category}: ${tpl.about}`} disabled={busy} onClick={() => void remake("template", { template: tpl.value })}>
              {tpl.label}
            </button>
          ))}
      </div>
    </section>
  );
}

function Jobs() {
  const { data, error, reload } = useApi<{ jobs: Job[] }>("jobs");
  useEffect(() => {
    const timer = setInterval(() => document.hidden || void reload(), JOBS_POLL_MS);
    return () => clearInterval(timer);
  }, [reload]);
  const cancel = async (id: string) => {
    try {
      showToast((await api<ActionResult>(`jobs/${id}/cancel`, { method: "POST" })).text);
    } catch (error) {
      showToast(failureText(error));
    }
    await reload();
  };

  if (!data) return <Pending error={error} retry={() => void reload()} />;
  const { jobs } = data;
  if (jobs.length === 0) return <p class="notice">{say("studio-jobs-empty")}</p>;
  return (
    <ul class="list">
      {jobs.map((job) => (
        <li data-job={job.id} class={job.active ? "" : "done"}>
          <p class="prompt">{job.prompt}</p>
          <p class="meta">
            <span class="state">{job.state}</span>
            {job.position && ` · ${job.position}`}
          </p>
          {job.cancellable && (
            <button class="secondary" onClick={() => void cancel(job.id)}>
              {say("button-cancel")}
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}

function BalanceView() {
  const { data: balance, error, reload, setData: setBalance } = useApi<Balance>("balance");
  const buy = async (credits: number, what: "packs" | "plans" = "packs") => {
    try {
      const { link } = await api<{ link: string }>(`${what}/${credits}/invoice`, { method: "POST" });
      const status = await openInvoice(link);
      if (status !== "paid") return;
      showToast(say("studio-paid"));
      // The credits arrive with the bot's successful_payment update, a moment after the sheet closes.
      const before = balance?.balance;
      for (let i = 0; i < 10; i++) {
        const now = await api<Balance>("balance");
        setBalance(now);
        if (now.balance !== before) break;
        await new Promise((r) => setTimeout(r, 1_000));
      }
    } catch (error) {
      showToast(failureText(error));
    }
  };

  // Cancel renewal / Resume renewal: Telegram's answer is what the page shows.
  const renewal = async (plan: PlanView) => {
    try {
      const next = await api<PlanView>("plan/renewal", { method: "PUT", body: { canceled: !plan.canceled } });
      setBalance((shown) => shown && { ...shown, plan: next });
      showToast(next.text);
    } catch {
      showToast(say("studio-failed"));
    }
  };

  if (!balance) return <Pending error={error} retry={() => void reload()} />;
  return (
    <section>
      <p class="summary" data-balance={balance.balance}>
        {balance.summary}
      </p>
      {balance.plan && (
        <div class="plan">
          <p>{balance.plan.text}</p>
          <button class="secondary" data-renewal={balance.plan.canceled ? "resume" : "cancel"} onClick={() => void renewal(balance.plan!)}>
            {balance.plan.button}
          </button>
        </div>
      )}
      {!balance.plan && balance.plans.length > 0 && (
        <>
          <h2>{say("studio-plans")}</h2>
          {balance.plans.map((plan) => (
            <div class="plan">
              <p>{plan.label}</p>
              <button data-plan={plan.credits} onClick={() => void buy(plan.credits, "plans")}>
                {plan.button}
              </button>
            </div>
          ))}
        </>
      )}
      <h2>{say("studio-packs")}</h2>
      <div class="packs">
        {balance.packs.map((pack) => (
          <button data-pack={pack.credits} onClick={() => void buy(pack.credits)}>
            {pack.label}
          </button>
        ))}
      </div>
      <h2>{say("studio-invite")}</h2>
      <p class="invite" data-invite={balance.invite.link}>
        {balance.invite.text}
      </p>
      <h2>{say("balance-history")}</h2>
      <ul class="list movements">
        {balance.movements.map((m) => (
          <li>
            <span class={m.change > 0 ? "plus" : m.change < 0 ? "minus" : ""}>{m.change > 0 ? `+${m.change}` : m.change}</span>
            <span>{m.text}</span>
            <span class="meta">{dateLabel(m.at)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/**
 * The operator's charts. Their code and uPlot are a bundle of their own, fetched the first time an
 * admin opens this tab; the data comes from /app/api/admin/dashboard, which refuses everyone else.
 */
function DashboardView() {
  const { data, error, reload } = useApi<DashboardData>("admin/dashboard");
  const root = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (!data || !root.current) return;
    let unmount: (() => void) | undefined;
    let gone = false;
    if (!document.querySelector("link[data-dashboard]")) {
      const sheet = document.createElement("link");
      sheet.rel = "stylesheet";
      sheet.href = absolute(`assets/${DASHBOARD_ASSETS.css}`);
      sheet.dataset.dashboard = "";
      document.head.append(sheet);
    }
    import(/* chart code, only for admins */ absolute(`assets/${DASHBOARD_ASSETS.js}`))
      .then((board: { mount: (el: HTMLElement, d: DashboardData, s: (key: string) => string) => () => void }) => {
        if (!gone && root.current) unmount = board.mount(root.current, data, say);
      })
      .catch(() => setFailed(true));
    return () => {
      gone = true;
      unmount?.();
    };
  }, [data]);

  if (!data || failed) return <Pending error={error ?? (failed ? new Error("dashboard") : null)} retry={() => void reload()} />;
  return <div class="dashboard" ref={root} />;
}

/** A row of choices, one of them taken (a length, a quality). */
function OneOf<T>({ title, choices, chosen, pick }: { title: string; choices: Choice<T>[]; chosen: T; pick: (value: T) => void }) {
  return (
    <>
      <h2>{title}</h2>
      <div class="choices">
        {choices.map((c) => (
          <button class={c.value === chosen ? "chosen" : "secondary"} aria-pressed={c.value === chosen} onClick={() => pick(c.value)}>
            {c.label}
          </button>
        ))}
      </div>
    </>
  );
}

function SettingsView() {
  const { data: view, error, reload, setData: setView } = useApi<Settings>("settings");
  const save = async (change: Partial<Settings["settings"]>) => {
    try {
      setView(await api<Settings>("settings", { method: "PUT", body: change }));
      showToast(say("studio-saved"));
    } catch (error) {
      showToast(failureText(error));
    }
  };

  if (!view) return <Pending error={error} retry={() => void reload()} />;
  const { settings: s, options } = view;
  const toggleMove = (move: string) => {
    const on = s.cameraMoves.includes(move);
    if (!on && s.cameraMoves.length >= options.maxCameraMoves) return showToast(say("camera-max"));
    void save({ cameraMoves: on ? s.cameraMoves.filter((m) => m !== move) : [...s.cameraMoves, move] });
  };
  return (
    <section class="settings">
      <p class="summary">{view.price}</p>
      {options.models.length > 1 && (
        <>
          <OneOf title={say("studio-model")} choices={options.models} chosen={s.model} pick={(model) => void save({ model })} />
          <p class="hint left">{options.modelsText}</p>
        </>
      )}
      {options.durations.length > 1 && <OneOf title={say("studio-duration")} choices={options.durations} chosen={s.duration} pick={(duration) => void save({ duration })} />}
      {options.resolutions.length > 0 && <OneOf title={say("studio-resolution")} choices={options.resolutions} chosen={s.resolution} pick={(resolution) => void save({ resolution })} />}
      <OneOf title={say("studio-format")} choices={options.formats} chosen={s.format} pick={(format) => void save({ format })} />
      {options.albums.length > 0 && (
        <>
          <OneOf title={say("studio-settings-albums")} choices={options.albums} chosen={s.albums} pick={(albums) => void save({ albums })} />
          <p class="hint left">{options.albumsPrice}</p>
        </>
      )}
      <div class="choices">
        <button class={s.promptOptimizer ? "chosen" : "secondary"} aria-pressed={s.promptOptimizer} onClick={() => void save({ promptOptimizer: !s.promptOptimizer })}>
          {say(s.promptOptimizer ? "settings-optimizer-on" : "settings-optimizer-off")}
        </button>
      </div>
      {options.cameraMoves.length > 0 && (
        <>
          <h2>{say("studio-camera")}</h2>
          <div class="choices">
            {options.cameraMoves.map((m) => (
              <button class={s.cameraMoves.includes(m.value) ? "chosen" : "secondary"} aria-pressed={s.cameraMoves.includes(m.value)} onClick={() => toggleMove(m.value)}>
                {m.label}
              </button>
            ))}
          </div>
          <p class="hint">{s.cameraMoves.length ? "" : say("camera-none")}</p>
        </>
      )}
    </section>
  );
}

function App({ initData }: { initData: string | undefined }) {
  const [me, setMe] = useState<Me | { error: unknown } | null>(null);
  const [tab, setTab] = useState<Tab>("gallery");
  const [open, setOpen] = useState<Item | null>(null);
  const close = useCallback(() => setOpen(null), []);

  useEffect(() => {
    if (!initData) return;
    setLaunchData(initData);
    void (async () => {
      try {
        const session = await api<Me>("me");
        texts = session.texts;
        locale = session.locale;
        document.documentElement.lang = locale;
        // Opened from the "Studio" button under a video: that video first.
        const wanted = new URLSearchParams(location.search).get("video");
        if (wanted) setOpen(await api<Item>(`videos/${encodeURIComponent(wanted)}`).catch(() => null));
        setMe(session);
      } catch (error) {
        setMe({ error });
      }
    })();
  }, [initData]);

  if (!initData) return <p class="notice">{say("studio-open-in-telegram")}</p>;
  if (!me) return null;
  if ("error" in me) return <Failure error={me.error} />;
  return (
    <>
      {open ? (
        <VideoView item={open} formats={me.formats} templates={me.templates} onBack={close} />
      ) : (
        <>
          <nav class="tabs">
            {(me.admin ? [...TABS, "dashboard" as const] : TABS).map((t) => (
              <button class={t === tab ? "active" : ""} aria-current={t === tab} data-tab={t} onClick={() => setTab(t)}>
                {tabLabel(say(`studio-tab-${t}`))}
              </button>
            ))}
          </nav>
          {tab === "gallery" && <Gallery onOpen={setOpen} />}
          {tab === "jobs" && <Jobs />}
          {tab === "balance" && <BalanceView />}
          {tab === "settings" && <SettingsView />}
          {tab === "dashboard" && me.admin && <DashboardView />}
        </>
      )}
      <Toast />
    </>
  );
}

const launch = startTelegram();
document.documentElement.dataset.theme = launch.dark ? "dark" : "light";
render(<App initData={launch.initData} />, document.getElementById("root")!);
