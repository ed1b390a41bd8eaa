/*
 * pushbench report runtime: turns the chart specs embedded in #pb-data into chart.js charts.
 * Plain browser JavaScript, inlined into the page after chart.js; it requests nothing.
 * Two tiny plugins: fault-window shading (time charts) and p50→max whiskers (reconnect bars).
 */
(() => {
  const Chart = window.Chart;
  const payload = JSON.parse(document.getElementById('pb-data').textContent);
  const specs = payload.charts || [];
  const faultsByCanvas = {};

  /** Up to `digits` decimals, trailing zeros dropped. */
  function trim(value, digits) {
    return String(Number(value.toFixed(digits)));
  }

  /** Compact formatters for ticks and tooltips, by unit (see reports/format.ts). */
  const FORMAT = {
    ms: (v) => (Math.abs(v) >= 1000 ? `${trim(v / 1000, 2)}s` : `${trim(v, v < 1 ? 3 : 1)}ms`),
    seconds: (v) => `${trim(v, 1)}s`,
    bytes: (v) => bytes(v),
    bytesPerS: (v) => `${bytes(v)}/s`,
    count: (v) => (Number.isInteger(v) ? v.toLocaleString('en-US') : trim(v, 1)),
    pct: (v) => `${trim(v, 1)}%`,
    cpuPct: (v) => `${trim(v, 1)}%`,
    perS: (v) => `${trim(v, 1)}/s`,
    mb: (v) => `${trim(v, 1)} MB`,
    kb: (v) => `${trim(v, 1)} KB`,
  };

  function bytes(v) {
    const a = Math.abs(v);
    if (a >= 1e9) return `${trim(v / 1e9, 2)} GB`;
    if (a >= 1e6) return `${trim(v / 1e6, 2)} MB`;
    if (a >= 1e3) return `${trim(v / 1e3, 1)} KB`;
    return `${trim(v, 0)} B`;
  }

  function format(unit, v) {
    if (typeof v !== 'number' || !Number.isFinite(v)) return '—';
    return (FORMAT[unit] || String)(v);
  }

  /** Log axes: label only 1, 2 and 5 × 10^n so labels do not collide. */
  function logTick(unit) {
    return (value) => {
      const mantissa = value / 10 ** Math.floor(Math.log10(value));
      const round = [1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-6);
      return round ? format(unit, value) : '';
    };
  }

  const faultShading = {
    id: 'pbFaults',
    beforeDatasetsDraw(chart) {
      const windows = faultsByCanvas[chart.canvas.id];
      const x = chart.scales.x;
      if (!windows?.length || !x) return;
      const area = chart.chartArea;
      const ctx = chart.ctx;
      ctx.save();
      for (const w of windows) {
        const x0 = Math.max(area.left, x.getPixelForValue(w.from));
        const x1 = Math.min(area.right, x.getPixelForValue(w.to));
        if (!(x1 > x0)) continue;
        ctx.fillStyle = 'rgba(220, 38, 38, 0.09)';
        ctx.fillRect(x0, area.top, x1 - x0, area.bottom - area.top);
        ctx.strokeStyle = 'rgba(220, 38, 38, 0.45)';
        ctx.setLineDash([4, 3]);
        ctx.beginPath();
        ctx.moveTo(x0, area.top);
        ctx.lineTo(x0, area.bottom);
        ctx.moveTo(x1, area.top);
        ctx.lineTo(x1, area.bottom);
        ctx.stroke();
        ctx.fillStyle = 'rgba(153, 27, 27, 0.9)';
        ctx.font = '600 11px system-ui, sans-serif';
        ctx.fillText(w.label, x0 + 4, area.top + 12);
      }
      ctx.restore();
    },
  };

  const whiskers = {
    id: 'pbWhiskers',
    afterDatasetsDraw(chart) {
      const y = chart.scales.y;
      const ctx = chart.ctx;
      chart.data.datasets.forEach((ds, i) => {
        if (!Array.isArray(ds.pbMax) || !chart.isDatasetVisible(i)) return;
        chart.getDatasetMeta(i).data.forEach((bar, j) => {
          const max = ds.pbMax[j];
          if (typeof max !== 'number' || !Number.isFinite(max)) return;
          const top = y.getPixelForValue(max);
          const half = Math.max(3, bar.width / 4);
          ctx.save();
          ctx.strokeStyle = ds.borderColor || '#334155';
          ctx.lineWidth = 1.5;
          ctx.beginPath();
          ctx.moveTo(bar.x, bar.y);
          ctx.lineTo(bar.x, top);
          ctx.moveTo(bar.x - half, top);
          ctx.lineTo(bar.x + half, top);
          ctx.stroke();
          ctx.restore();
        });
      });
    },
  };

  Chart.register(faultShading, whiskers);
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';
  Chart.defaults.font.size = 12;
  Chart.defaults.color = '#334155';
  Chart.defaults.borderColor = '#e2e8f0';
  Chart.defaults.plugins.legend.position = 'bottom';
  Chart.defaults.plugins.legend.labels.boxWidth = 14;
  Chart.defaults.plugins.legend.labels.boxHeight = 8;

  /** Apply units: tick labels per axis, tooltip values with their unit (and max for whiskers). */
  function applyUnits(spec) {
    const options = spec.config.options || {};
    const scales = options.scales || {};
    const units = spec.units || {};
    for (const axis of Object.keys(units)) {
      if (!scales[axis]) scales[axis] = {};
      const scale = scales[axis];
      const unit = units[axis];
      scale.ticks = scale.ticks || {};
      scale.ticks.callback = scale.type === 'logarithmic' ? logTick(unit) : (v) => format(unit, v);
    }
    options.interaction = options.interaction || { mode: 'nearest', axis: 'x', intersect: false };
    options.plugins = options.plugins || {};
    options.plugins.tooltip = {
      callbacks: {
        label(ctx) {
          const unit = ctx.dataset.yAxisID === 'y2' ? units.y2 : units.y;
          const max = Array.isArray(ctx.dataset.pbMax) ? ctx.dataset.pbMax[ctx.dataIndex] : undefined;
          const tail = typeof max === 'number' ? ` (max ${format(unit, max)})` : '';
          return `${ctx.dataset.label}: ${format(unit, ctx.parsed.y)}${tail}`;
        },
      },
    };
    spec.config.options = options;
  }

  let drawn = 0;
  let failed = 0;
  for (const spec of specs) {
    const canvas = document.getElementById(spec.id);
    if (!canvas) continue;
    try {
      faultsByCanvas[spec.id] = spec.faults || [];
      applyUnits(spec);
      new Chart(canvas, spec.config);
      drawn++;
    } catch (err) {
      failed++;
      console.error(`pushbench: chart ${spec.id} failed:`, err);
      const note = document.createElement('p');
      note.className = 'chart-error';
      note.textContent = `This chart could not be drawn (${err?.message}); its numbers are in the table below.`;
      canvas.parentElement.replaceWith(note);
    }
  }
  window.__pbReport = { charts: drawn, failed };
  document.documentElement.setAttribute('data-charts-ready', String(drawn));
})();
