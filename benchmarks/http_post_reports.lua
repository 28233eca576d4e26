-- wrk script of P1 (benchmarks/p1_intake.py, run through benchmarks/http_load.py): POSTs a distinct, valid report
-- on every request and counts the answers by HTTP status.
--
-- Arguments after wrk's `--`: a run tag (a number below 100), then the regency codes to spread the reports over.
-- Each report has its own victim name, phone and address (the tag, the thread and a counter), so intake's
-- duplicate detection finds nothing to link, as for unrelated reports from the public; the same body goes to
-- the bare baseline.
--
-- wrk gives each thread its own Lua state: `setup` and `done` run in the main one, so `setup` numbers the threads
-- and keeps them, and `done` adds up what each thread counted and prints one JSON line for http_load.py.

local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

local BODY = table.concat({
  '{"incident":{"precision":"unknown"},"channel":"web","violence_types":["psikis","fisik"],',
  '"location":{"province_code":"%s","regency_code":"%s","place":"rumah_tangga",',
  '"address":"Jalan Uji %d Gang %d Nomor %d"},',
  '"victims":[{"name":"Korban Uji %d %d %d","sex":"perempuan","age":%d}],',
  '"perpetrators":[{"sex":"laki_laki","relationship":"suami_istri"}],',
  '"needs":["pengaduan","kesehatan"],',
  '"reporter":{"relation":"keluarga","phone":"08%02d%02d%08d"},',
  '"narrative":"Laporan uji beban nomor %d. Korban mengalami kekerasan di rumah oleh suaminya sejak beberapa ',
  'bulan terakhir dan membutuhkan pendampingan serta pemeriksaan kesehatan. Pelapor adalah kakak korban."}',
})

function init(args)
  run_tag = tonumber(args[1])
  regencies = {}
  for i = 2, #args do
    regencies[#regencies + 1] = args[i]
  end
  sent = 0
  statuses = {}
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  sent = sent + 1
  local regency = regencies[(sent + thread_id) % #regencies + 1]
  local body = string.format(
    BODY, regency:sub(1, 2), regency,
    run_tag, thread_id, sent,
    run_tag, thread_id, sent, 18 + sent % 40,
    run_tag, thread_id, sent,
    sent
  )
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(counts) do
    parts[#parts + 1] = string.format('"%d":%d', status, count)
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH-RESULT {"duration_us":%d,"statuses":{%s},"connect_errors":%d,"read_errors":%d,"write_errors":%d,' ..
    '"timeouts":%d,"latency_p50_us":%d,"latency_p99_us":%d}\n',
    summary.duration, table.concat(parts, ","), errors.connect, errors.read, errors.write, errors.timeout,
    latency:percentile(50), latency:percentile(99)
  ))
end
