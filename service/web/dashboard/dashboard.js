"use strict";
// The analytics dashboard: reads /v1/analytics/* with the key typed in (kept in this tab only) and
// draws each figure with plotly.js, served by this service, next to its data table.
(function () {
  const TEXT = {
    en: {
      skip: "Skip to the figures", title: "Analytics dashboard", signIn: "Sign in",
      signInHelp: "Use an analyst's or admin's API key (an institution's key shows its own programs only). The key stays in this browser tab.",
      key: "API key", signInButton: "Sign in", period: "Period", from: "From", to: "To", update: "Update",
      signOut: "Sign out", totals: "Key figures", targets: "Targets", overTime: "Click-through and referrals over time",
      funnel: "From search to referral (sessions)", topPrograms: "Top programs by clicks",
      topOccupations: "Top occupations by impressions", byRegion: "By region", byLanguage: "By language",
      byVariant: "By experiment variant", table: "Data table", tableExperiment: "Differences from the reference arm",
      loading: "Loading the figures…", loaded: "Figures loaded for {from} to {to}.", suppressed: "suppressed",
      none: "(none)", searches: "Searches", impressions: "Programs shown", clicks: "Clicks", ctr: "Click-through rate",
      inquiries: "Inquiries", referrals: "Referrals", referral_rate: "Referral rate", sessions: "Sessions",
      page_views: "Page views", robot_events: "Robot events (excluded)", group: "Group", day: "Day",
      searched: "Searched", saw_programs: "Saw programs", clicked: "Clicked", inquired_or_referred: "Inquiry or referral",
      step: "Step", share_of_previous: "Share of previous step", variant: "Variant", rate: "Rate",
      difference: "Difference", ci: "95% interval", reference: "reference", target: "Target", actual: "Actual so far",
      goal: "Goal so far", progress: "Progress", badKey: "The key was refused: {detail}", failed: "The figures could not be loaded: {detail}",
      exact: "Exact counts.", notCompared: "not compared", notStarted: "not started", other: "Français", otherLang: "fr",
    },
    fr: {
      skip: "Aller aux chiffres", title: "Tableau de bord analytique", signIn: "Connexion",
      signInHelp: "Utilisez la clé d'API d'un analyste ou d'un administrateur (la clé d'un établissement ne montre que ses propres programmes). La clé reste dans cet onglet.",
      key: "Clé d'API", signInButton: "Se connecter", period: "Période", from: "Du", to: "Au", update: "Mettre à jour",
      signOut: "Se déconnecter", totals: "Chiffres clés", targets: "Cibles", overTime: "Taux de clics et aiguillages dans le temps",
      funnel: "De la recherche à l'aiguillage (sessions)", topPrograms: "Programmes les plus cliqués",
      topOccupations: "Professions les plus affichées", byRegion: "Par région", byLanguage: "Par langue",
      byVariant: "Par variante d'expérience", table: "Tableau de données", tableExperiment: "Écarts avec la variante de référence",
      loading: "Chargement des chiffres…", loaded: "Chiffres chargés du {from} au {to}.", suppressed: "supprimé",
      none: "(aucune)", searches: "Recherches", impressions: "Programmes affichés", clicks: "Clics", ctr: "Taux de clics",
      inquiries: "Demandes d'information", referrals: "Aiguillages", referral_rate: "Taux d'aiguillage", sessions: "Sessions",
      page_views: "Pages vues", robot_events: "Événements de robots (exclus)", group: "Groupe", day: "Jour",
      searched: "Ont cherché", saw_programs: "Ont vu des programmes", clicked: "Ont cliqué", inquired_or_referred: "Demande ou aiguillage",
      step: "Étape", share_of_previous: "Part de l'étape précédente", variant: "Variante", rate: "Taux",
      difference: "Écart", ci: "Intervalle à 95 %", reference: "référence", target: "Cible", actual: "Réel à ce jour",
      goal: "Objectif à ce jour", progress: "Progrès", badKey: "La clé a été refusée : {detail}", failed: "Les chiffres n'ont pu être chargés : {detail}",
      exact: "Chiffres exacts.", notCompared: "non comparé", notStarted: "pas commencé", other: "English", otherLang: "en",
    },
  };
  const KEY = "lmi-dashboard-key";
  const LANG = "lmi-dashboard-lang";
  const $ = (id) => document.getElementById(id);
  const stored = localStorage.getItem(LANG);
  let lang = stored === "fr" || stored === "en" ? stored : (navigator.language || "en").slice(0, 2) === "fr" ? "fr" : "en";
  const t = (name, values) => (TEXT[lang][name] || name).replace(/\{(\w+)\}/g, (_, key) => (values || {})[key] ?? "");

  // Numbers as the API publishes them (null: suppressed), in the page's language; the charts' axes,
  // bar labels and hover texts use the same functions as the tables.
  const locale = () => (lang === "fr" ? "fr-CA" : "en-CA");
  const missing = (value) => value === null || value === undefined;
  function count(value) {
    return missing(value) ? t("suppressed") : new Intl.NumberFormat(locale()).format(value);
  }
  // Rates are published to four decimals (0.0123): two decimals of a percent show them whole.
  function percent(value) {
    return missing(value) ? t("suppressed")
      : new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: 2 }).format(value);
  }
  // An axis's labels have the same number of decimals, so that they line up.
  function fixedPercent(value, decimals) {
    return new Intl.NumberFormat(locale(), { style: "percent", minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(value);
  }
  // What plotly formats itself (nothing the page shows, as a rule) uses the same decimal and group signs.
  function separators() {
    const parts = new Intl.NumberFormat(locale()).formatToParts(12345.6);
    const sign = (type, fallback) => (parts.find((part) => part.type === type) || { value: fallback }).value;
    return sign("decimal", ".") + sign("group", ",");
  }

  // The ticks of a value axis, chosen here rather than by plotly: a step of 1, 2 or 5 × 10ⁿ (a whole number
  // for counts), labelled with as many decimals as the step needs (0.2 %, 0.05 %…), so that no two labels
  // are alike and none is a fraction of a count. Ticks run past the data on both sides: plotly shows those
  // inside the range it picks (with room for the bars' labels) and drops the others.
  function decimalsOf(number) {
    for (let decimals = 0; decimals < 10; decimals += 1) {
      const scaled = number * 10 ** decimals;
      if (Math.abs(scaled - Math.round(scaled)) < 1e-6) return decimals;
    }
    return 10;
  }
  function valueAxis(values, kind) {
    const numbers = values.filter((value) => typeof value === "number" && Number.isFinite(value));
    const low = Math.min(0, ...numbers);
    let high = Math.max(0, ...numbers);
    if (high === low) high = low + (kind === "percent" ? 0.01 : 1);
    const wanted = (high - low) / 6;
    const power = 10 ** Math.floor(Math.log10(wanted));
    let step = [1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= wanted * (1 - 1e-9));
    if (kind === "count") step = Math.max(1, Math.round(step));
    const decimals = decimalsOf(step * 100);
    const margin = (high - low) / 2;
    const tickvals = [];
    for (let index = Math.floor((low - (low < 0 ? margin : 0)) / step); index <= Math.ceil((high + margin) / step); index += 1) {
      tickvals.push(Number((index * step).toFixed(12)));
    }
    const ticktext = tickvals.map((value) => (kind === "percent" ? fixedPercent(value, decimals) : count(value)));
    // Nothing to draw (every figure suppressed): plotly's own range would be -1 to 4, a count as a percent.
    return { tickmode: "array", tickvals, ticktext, ...(numbers.length ? {} : { range: [low, high] }) };
  }
  // A category axis keyed on unique ids (two programs may share a title), labelled with their names.
  function categoryAxis(ids, names) {
    return { type: "category", tickmode: "array", tickvals: ids, ticktext: names, categoryorder: "array", categoryarray: ids };
  }
  const shorten = (text, length) => (text.length > length ? `${text.slice(0, length - 1)}…` : text);

  function translatePage() {
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-i18n]").forEach((element) => { element.textContent = t(element.dataset.i18n); });
    document.title = t("title");
    $("language").textContent = t("other");
    $("language").lang = t("otherLang");
  }

  async function get(path, params) {
    const query = new URLSearchParams(params).toString();
    const response = await fetch(`${path}?${query}`, { headers: { Authorization: `Bearer ${sessionStorage.getItem(KEY)}`, Accept: "application/json" } });
    const body = await response.json();
    if (!response.ok) {
      const error = new Error(body.detail || response.statusText);
      error.status = response.status;
      throw error;
    }
    return body;
  }

  function fillTable(id, columns, rows) {
    const table = $(id);
    table.replaceChildren();
    const head = table.createTHead().insertRow();
    columns.forEach(([, title]) => {
      const cell = document.createElement("th");
      cell.scope = "col";
      cell.textContent = title;
      head.appendChild(cell);
    });
    const body = table.createTBody();
    rows.forEach((row) => {
      const line = body.insertRow();
      columns.forEach(([name, , format], index) => {
        const cell = index === 0 ? document.createElement("th") : document.createElement("td");
        if (index === 0) cell.scope = "row";
        cell.textContent = format ? format(row[name], row) : row[name];
        cell.dataset.column = name;
        line.appendChild(cell);
      });
    });
  }

  const LAYOUT = { margin: { t: 10, r: 60, b: 50, l: 60 }, font: { family: "system-ui, sans-serif", size: 13 }, legend: { orientation: "h" } };
  const CONFIG = { displayModeBar: false, responsive: true };
  function plot(id, traces, layout) {
    return Plotly.react($(id), traces, { ...LAYOUT, separators: separators(), ...layout }, CONFIG);
  }
  // Hover texts are the tables' texts too (plotly would format the raw values its own way).
  const hover = (texts) => ({ hovertext: texts, hoverinfo: "text" });
  const label = (row) => row.label || row.key || t("none");

  function drawTotals(answer) {
    const totals = answer.current.totals;
    const cards = [["searches", count], ["impressions", count], ["clicks", count], ["ctr", percent], ["inquiries", count],
      ["referrals", count], ["referral_rate", percent], ["sessions", count]];
    const list = $("totals");
    list.replaceChildren();
    cards.forEach(([name, format]) => {
      const item = document.createElement("div");
      const term = document.createElement("dt");
      const value = document.createElement("dd");
      term.textContent = t(name);
      value.textContent = format(totals[name]);
      value.dataset.measure = name;
      item.append(term, value);
      list.appendChild(item);
    });
    const robots = document.createElement("div");
    robots.innerHTML = "<dt></dt><dd></dd>";
    robots.firstChild.textContent = t("robot_events");
    robots.lastChild.textContent = count(answer.current.robot_events);
    list.appendChild(robots);
    $("disclosure").textContent = answer.disclosure.rule === "exact" ? t("exact") : answer.disclosure.description;
  }

  function drawTargets(answer) {
    const targets = answer.targets || [];
    $("targets-section").hidden = targets.length === 0;
    if (!targets.length) return;
    const name = (item) => item.label || `${t(item.measure)} ${item.period.from} – ${item.period.to}`;
    // A rate's target (ctr…) is a rate: its actual and goal are percentages.
    const measured = (value, item) => (!item.so_far && missing(value) ? t("notStarted")
      : ["ctr", "referral_rate", "helpful_share"].includes(item.measure) ? percent(value) : count(value));
    fillTable("table-targets", [["name", t("target")], ["actual", t("actual"), measured], ["goal", t("goal"), measured],
      ["progress", t("progress"), (v, item) => (!item.so_far && missing(v) ? t("notStarted") : percent(v))]],
    targets.map((item) => ({ ...item, name: name(item) })));
    const ids = targets.map((item) => String(item.id));
    const texts = targets.map((item) => percent(item.progress));
    plot("chart-targets", [{ type: "bar", orientation: "h", y: ids, x: targets.map((item) => item.progress),
      text: texts, textposition: "outside", marker: { color: "#0b5cad" }, ...hover(targets.map((item, index) => `${name(item)}: ${texts[index]}`)) }],
    { xaxis: valueAxis(targets.map((item) => item.progress), "percent"), yaxis: categoryAxis(ids, targets.map((item) => shorten(name(item), 40))),
      margin: { ...LAYOUT.margin, l: 220 }, height: 80 + 40 * targets.length });
  }

  function drawTime(answer) {
    const rows = [...answer.current.groups].filter((row) => row.key).sort((a, b) => a.key.localeCompare(b.key));
    fillTable("table-time", [["key", t("day")], ["impressions", t("impressions"), count], ["clicks", t("clicks"), count],
      ["ctr", t("ctr"), percent], ["referrals", t("referrals"), count]], rows);
    const days = rows.map((row) => row.key);
    plot("chart-time", [
      { type: "bar", name: t("referrals"), x: days, y: rows.map((row) => row.referrals),
        text: rows.map((row) => count(row.referrals)), textposition: "outside", marker: { color: "#6a3d9a" },
        ...hover(rows.map((row) => `${row.key}: ${count(row.referrals)} (${t("referrals")})`)) },
      { type: "scatter", mode: "lines+markers", name: t("ctr"), x: days, y: rows.map((row) => row.ctr),
        yaxis: "y2", line: { color: "#0b5cad" }, ...hover(rows.map((row) => `${row.key}: ${percent(row.ctr)} (${t("ctr")})`)) },
    ], { xaxis: { type: "category" },
      yaxis: { title: { text: t("referrals") }, rangemode: "tozero", ...valueAxis(rows.map((row) => row.referrals), "count") },
      yaxis2: { title: { text: t("ctr") }, overlaying: "y", side: "right", rangemode: "tozero", showgrid: false,
        ...valueAxis(rows.map((row) => row.ctr), "percent") } });
  }

  function drawFunnel(answer) {
    fillTable("table-funnel", [["name", t("step")], ["sessions", t("sessions"), count], ["share_of_previous", t("share_of_previous"), percent]],
      answer.steps.map((step) => ({ ...step, name: t(step.step) })));
    plot("chart-funnel", [{ type: "funnel", y: answer.steps.map((step) => t(step.step)), x: answer.steps.map((step) => step.sessions),
      text: answer.steps.map((step) => count(step.sessions)), textinfo: "text", marker: { color: "#0b5cad" },
      ...hover(answer.steps.map((step) => `${t(step.step)}: ${count(step.sessions)}`)) }],
    { margin: { ...LAYOUT.margin, l: 170 } });
  }

  function drawRanking(id, answer, measure) {
    const rows = answer.current.groups.filter((row) => row.key && row[measure] !== null)
      .sort((a, b) => b[measure] - a[measure]).slice(0, 10);
    fillTable(`table-${id}`, [["name", t("group")], ["impressions", t("impressions"), count], ["clicks", t("clicks"), count],
      ["ctr", t("ctr"), percent], ["inquiries", t("inquiries"), count], ["referrals", t("referrals"), count]],
    rows.map((row) => ({ ...row, name: label(row) })));
    const shown = [...rows].reverse();
    const keys = shown.map((row) => row.key);
    plot(`chart-${id}`, [{ type: "bar", orientation: "h", y: keys, x: shown.map((row) => row[measure]),
      text: shown.map((row) => count(row[measure])), textposition: "outside", marker: { color: "#0b5cad" }, name: t(measure),
      ...hover(shown.map((row) => `${label(row)}: ${count(row[measure])}`)) }],
    { xaxis: valueAxis(shown.map((row) => row[measure]), "count"), yaxis: categoryAxis(keys, shown.map((row) => shorten(label(row), 48))),
      margin: { ...LAYOUT.margin, l: 320 }, height: 120 + 32 * shown.length });
  }

  function drawRates(id, answer) {
    const rows = answer.current.groups.filter((row) => row.key);
    fillTable(`table-${id}`, [["name", t("group")], ["impressions", t("impressions"), count], ["clicks", t("clicks"), count],
      ["ctr", t("ctr"), percent], ["referrals", t("referrals"), count], ["referral_rate", t("referral_rate"), percent]],
    rows.map((row) => ({ ...row, name: label(row) })));
    const keys = rows.map((row) => row.key);
    const rates = ["ctr", "referral_rate"];
    plot(`chart-${id}`, rates.map((rate, index) => ({
      type: "bar", name: t(rate), x: keys, y: rows.map((row) => row[rate]),
      text: rows.map((row) => percent(row[rate])), textposition: "outside", marker: { color: index ? "#6a3d9a" : "#0b5cad" },
      ...hover(rows.map((row) => `${label(row)}: ${percent(row[rate])} (${t(rate)})`)),
    })), { barmode: "group", xaxis: categoryAxis(keys, rows.map((row) => shorten(label(row), 30))),
      yaxis: valueAxis(rows.flatMap((row) => rates.map((rate) => row[rate])), "percent") });
  }

  function drawExperiment(answer) {
    const experiment = answer.experiment || { arms: [] };
    const figures = Object.fromEntries(answer.current.groups.filter((row) => row.key).map((row) => [row.key, row]));
    const reference = figures[experiment.reference_variant] || {};
    const rows = [];
    // Every arm against the reference, both rates: a difference the API withholds (a count it needs is
    // suppressed) is a row saying so, and no point on the chart.
    experiment.arms.filter((arm) => !arm.reference).forEach((arm) => ["ctr", "referral_rate"].forEach((rate) => {
      const difference = arm.differences.find((item) => item.rate === rate);
      const events = rate === "ctr" ? "clicks" : "referrals";
      const counts = [figures[arm.variant] || {}, reference];
      const suppressed = counts.some((row) => missing(row.impressions) || missing(row[events]));
      rows.push({ difference: null, ci_low: null, ci_high: null, ...difference, id: `${arm.variant}|${rate}`,
        name: `${arm.variant} − ${experiment.reference_variant}`, rate: t(rate), withheld: t(suppressed ? "suppressed" : "notCompared") });
    }));
    const shown = (value, row) => (missing(value) ? row.withheld : percent(value));
    fillTable("table-experiment", [["name", t("variant")], ["rate", t("rate")], ["difference", t("difference"), shown],
      ["ci", t("ci"), (_, row) => (missing(row.ci_low) || missing(row.ci_high) ? row.withheld : `${percent(row.ci_low)} – ${percent(row.ci_high)}`)]],
    rows);
    const chart = $("chart-experiment");
    chart.hidden = rows.length === 0;
    chart.nextElementSibling.hidden = rows.length === 0; // its table
    if (!rows.length) {
      Plotly.purge(chart);
      return;
    }
    const drawn = (row) => !missing(row.difference) && !missing(row.ci_low) && !missing(row.ci_high);
    const ids = rows.map((row) => row.id);
    plot("chart-experiment", [{ type: "scatter", mode: "markers", x: rows.map((row) => (drawn(row) ? row.difference : null)),
      y: ids, marker: { size: 10, color: "#0b5cad" },
      ...hover(rows.map((row) => `${row.name} (${row.rate}): ${shown(row.difference, row)}${drawn(row) ? ` [${percent(row.ci_low)} – ${percent(row.ci_high)}]` : ""}`)),
      error_x: { type: "data", symmetric: false, array: rows.map((row) => (drawn(row) ? row.ci_high - row.difference : null)),
        arrayminus: rows.map((row) => (drawn(row) ? row.difference - row.ci_low : null)) } }],
    { xaxis: { zeroline: true, ...valueAxis(rows.filter(drawn).flatMap((row) => [row.difference, row.ci_low, row.ci_high]), "percent") },
      yaxis: categoryAxis(ids, rows.map((row) => `${row.name} (${row.rate})`)), showlegend: false,
      margin: { ...LAYOUT.margin, l: 260 }, height: 120 + 40 * rows.length });
  }

  async function load() {
    const period = { from: $("from").value, to: $("to").value };
    $("status").classList.remove("error");
    $("status").textContent = t("loading");
    try {
      const [totals, day, course, occupation, region, language, variant, funnel] = await Promise.all([
        get("/v1/analytics/summary", period),
        ...["day", "course", "occupation", "region", "lang", "variant"].map((group) => get("/v1/analytics/summary", { ...period, group_by: group })),
        get("/v1/analytics/funnel", period),
      ]);
      $("sign-in").hidden = true;
      $("period").hidden = false;
      $("figures").hidden = false;
      drawTotals(totals);
      drawTargets(totals);
      drawTime(day);
      drawFunnel(funnel);
      drawRanking("course", course, "clicks");
      drawRanking("occupation", occupation, "impressions");
      drawRates("region", region);
      drawRates("lang", language);
      drawRates("variant", variant);
      drawExperiment(variant);
      $("status").textContent = t("loaded", period);
      document.body.dataset.loaded = "true";
    } catch (error) {
      $("status").classList.add("error");
      $("status").textContent = t(error.status === 401 || error.status === 403 ? "badKey" : "failed", { detail: error.message });
      if (error.status === 401) {
        sessionStorage.removeItem(KEY);
        $("sign-in").hidden = false;
        $("period").hidden = true;
        $("figures").hidden = true;
        $("key").focus();
      }
    }
  }

  function init() {
    translatePage();
    const today = new Date();
    const start = new Date(today.getTime() - 29 * 86400000);
    $("to").value = today.toISOString().slice(0, 10);
    $("from").value = start.toISOString().slice(0, 10);
    $("sign-in").addEventListener("submit", (event) => {
      event.preventDefault();
      sessionStorage.setItem(KEY, $("key").value.trim());
      $("key").value = "";
      load();
    });
    $("period").addEventListener("submit", (event) => { event.preventDefault(); load(); });
    $("sign-out").addEventListener("click", () => {
      sessionStorage.removeItem(KEY);
      window.location.reload();
    });
    $("language").addEventListener("click", () => {
      lang = lang === "fr" ? "en" : "fr";
      localStorage.setItem(LANG, lang);
      translatePage();
      if (sessionStorage.getItem(KEY)) load();
    });
    if (sessionStorage.getItem(KEY)) load();
  }
  init();
}());
