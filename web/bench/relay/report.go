package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// results is what the run writes as JSON and prints as the table.
type results struct {
	Date       string `json:"date"`
	Go         string `json:"go"`
	Platform   string `json:"platform"`
	CPUs       int    `json:"cpus"`
	CPUModel   string `json:"cpuModel"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	Redis      string `json:"redis,omitempty"`
	// LoadBefore and LoadAfter are the one-minute load averages when the
	// measuring began and ended: other work on the machine shows in them.
	LoadBefore  string          `json:"loadBefore,omitempty"`
	LoadAfter   string          `json:"loadAfter,omitempty"`
	Requests    int             `json:"requestsPerRound"`
	Warmup      int             `json:"warmupPerRound"`
	Rounds      int             `json:"rounds"`
	Concurrency int             `json:"concurrency"`
	Subjects    []subjectResult `json:"subjects"`
	Targets     []target        `json:"targets"`
}

type subjectResult struct {
	Name      string `json:"name"`
	Label     string `json:"label"`
	Instances int    `json:"instances"`
	Skipped   string `json:"skipped,omitempty"`
	// Rate, P50 and P99 are the medians of the rounds' own.
	Rate  float64   `json:"refreshesPerSecond"`
	Rates []float64 `json:"rounds,omitempty"`
	P50   float64   `json:"p50Ms"`
	P99   float64   `json:"p99Ms"`
	// VsFloor is the median over the rounds of Rate over the floor's in
	// the same round.
	VsFloor float64 `json:"vsFloor"`
	// AddedP99 is the median over the rounds of P99 less the stub's own,
	// reached directly, in the same round.
	AddedP99 float64 `json:"addedP99Ms"`
	// CPU is the CPU time per measured refresh, over every round: this
	// process (stub, page's side, proxy or relays) and the redis-server.
	// VsFloorCPU is the floor's CPU over this one's: the throughput ratio
	// the machine would show were its cores the benchmark's alone.
	CPU float64 `json:"cpuPerRefreshUs,omitempty"`
	// RedisCPU is the redis-server's part of CPU.
	RedisCPU   float64 `json:"redisCpuPerRefreshUs,omitempty"`
	VsFloorCPU float64 `json:"vsFloorByCPU,omitempty"`
	Sent       int64   `json:"sent"`
	Upstream   int64   `json:"reachedStub"`
}

// target is one of the targets, checked and never asserted.
type target struct {
	Name      string  `json:"name"`
	Value     float64 `json:"value"`
	Reference float64 `json:"reference"`
	Ratio     float64 `json:"ratio"`
	Limit     float64 `json:"limit"`
	AtMost    bool    `json:"atMost"` // the ratio must be ≤ Limit, else ≥
	Met       bool    `json:"met"`
	unit      func(float64) string
}

// loadAverage is the one-minute load average, "" where there is none.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func report(date time.Time, subjects []*subject, requests, warmup, rounds, conc int, redis string) *results {
	cpus, model := machine()
	rep := &results{
		Date: date.Format(time.RFC3339), Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH,
		CPUs: cpus, CPUModel: model, GOMAXPROCS: runtime.GOMAXPROCS(0), Redis: redis,
		Requests: requests, Warmup: warmup, Rounds: rounds, Concurrency: conc,
	}
	// Each round's numbers, per subject: the machine is shared, so a
	// subject is compared with the floor and the stub of its own round,
	// and the medians of those comparisons are reported.
	type round struct{ rate, p50, p99 float64 }
	per := make(map[string][]round)
	for _, s := range subjects {
		for _, b := range s.batches {
			lat := sortedLatencies(b)
			per[s.Name] = append(per[s.Name], round{b.rate(), ms(percentile(lat, 0.50)), ms(percentile(lat, 0.99))})
		}
	}
	floor, direct := per["floor"], per["direct"]
	for _, s := range subjects {
		r := subjectResult{Name: s.Name, Label: s.Label, Instances: s.Instances, Skipped: s.skipped, Sent: s.sent, Upstream: s.upstream}
		rs := per[s.Name]
		if len(rs) == 0 {
			rep.Subjects = append(rep.Subjects, r)
			continue
		}
		var p50, p99, added, vsFloor []float64
		for i, x := range rs {
			r.Rates = append(r.Rates, x.rate)
			p50, p99 = append(p50, x.p50), append(p99, x.p99)
			if i < len(direct) {
				added = append(added, x.p99-direct[i].p99)
			}
			if i < len(floor) {
				vsFloor = append(vsFloor, x.rate/floor[i].rate)
			}
		}
		var cpu, redisCPU time.Duration
		var n int
		for _, b := range s.batches {
			cpu, n = cpu+b.cpu, n+b.n
			if s.redis { // else the server idles, and would not exist
				cpu, redisCPU = cpu+b.redisCPU, redisCPU+b.redisCPU
			}
		}
		if cpuKnown && n > 0 {
			r.CPU = float64(cpu) / float64(n) / float64(time.Microsecond)
			r.RedisCPU = float64(redisCPU) / float64(n) / float64(time.Microsecond)
		}
		r.Rate, r.P50, r.P99 = median(r.Rates), median(p50), median(p99)
		r.AddedP99, r.VsFloor = median(added), median(vsFloor)
		rep.Subjects = append(rep.Subjects, r)
	}
	// Metrics and JSON logs against the same configuration without them,
	// paired by round like the floor.
	if plain, ops := per["memory"], per["memory-ops"]; len(plain) > 0 && len(ops) > 0 {
		var ratios []float64
		for i := range min(len(plain), len(ops)) {
			ratios = append(ratios, ops[i].rate/plain[i].rate)
		}
		a, b := rep.find("memory-ops"), rep.find("memory")
		t := newTarget(a.Label+": throughput ≥ "+x(0.95)+" the same configuration's without them", a.Rate, b.Rate, 0.95, false, perSecond)
		t.Ratio = median(ratios)
		t.Met = t.Ratio >= 0.95
		rep.Targets = append(rep.Targets, t)
	}
	f := rep.find("floor")
	if f == nil || f.Rate == 0 {
		return rep
	}
	for i := range rep.Subjects {
		if c := rep.Subjects[i].CPU; c > 0 {
			rep.Subjects[i].VsFloorCPU = f.CPU / c
		}
	}
	relays := slices.DeleteFunc(slices.Clone(rep.Subjects), func(s subjectResult) bool {
		return s.Rate == 0 || s.Name != "memory" && !strings.HasPrefix(s.Name, "redis")
	})
	for _, s := range relays {
		limit := 0.5
		if s.Name == "memory" {
			limit = 0.7
		}
		t := newTarget(s.Label+": throughput ≥ "+x(limit)+" the floor's", s.Rate, f.Rate, limit, false, perSecond)
		t.Ratio = s.VsFloor // paired by round, see above
		t.Met = t.Ratio >= limit
		rep.Targets = append(rep.Targets, t)
		if s.VsFloorCPU > 0 {
			t := newTarget(s.Label+": CPU per refresh ≤ "+x(1/limit)+" the floor's (throughput ≥ "+x(limit)+" on cores of its own)", s.CPU, f.CPU, 1/limit, true, microseconds)
			rep.Targets = append(rep.Targets, t)
		}
	}
	if direct == nil {
		return rep // what a proxy adds needs the stub reached directly
	}
	for _, s := range relays {
		rep.Targets = append(rep.Targets, newTarget(s.Label+": added p99 ≤ 2.00× the floor's", s.AddedP99, f.AddedP99, 2, true, milliseconds))
	}
	return rep
}

// median is the middle value of v (the upper of the two middle ones), 0
// for none.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

func newTarget(name string, value, reference, limit float64, atMost bool, unit func(float64) string) target {
	t := target{Name: name, Value: value, Reference: reference, Limit: limit, AtMost: atMost, unit: unit}
	if reference > 0 {
		t.Ratio = value / reference
		t.Met = t.Ratio >= limit
		if atMost {
			t.Met = t.Ratio <= limit
		}
	}
	return t
}

func (rep *results) find(name string) *subjectResult {
	for i := range rep.Subjects {
		if rep.Subjects[i].Name == name {
			return &rep.Subjects[i]
		}
	}
	return nil
}

func x(r float64) string            { return strconv.FormatFloat(r, 'f', 2, 64) + "×" }
func microseconds(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) + " µs" }
func milliseconds(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) + " ms" }
func perSecond(v float64) string {
	s := strconv.FormatFloat(v, 'f', 0, 64)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s + "/s"
}

// print writes the table, as Markdown, and the targets.
func (rep *results) print(w io.Writer) {
	fmt.Fprintf(w, "gotoauth relay bench, %s, %s %s, %d CPUs (%s), GOMAXPROCS %d", rep.Date, rep.Go, rep.Platform, rep.CPUs, rep.CPUModel, rep.GOMAXPROCS)
	if rep.Redis != "" {
		fmt.Fprintf(w, ", %s", rep.Redis)
	}
	if rep.LoadBefore != "" {
		fmt.Fprintf(w, ", load average %s before, %s after", rep.LoadBefore, rep.LoadAfter)
	}
	fmt.Fprintf(w, "\neach refresh with a cookie of its own; %d rounds of %d refreshes (after %d warm-up) per configuration, %d in flight;\n"+
		"medians over the rounds; \"vs floor\" and \"p99 added\" (over the stub's own p99) are taken within each round;\n"+
		"CPU per refresh counts this whole process and the redis-server, over every round\n",
		rep.Rounds, rep.Requests, rep.Warmup, rep.Concurrency)
	floor := rep.find("floor")
	const na = "—"
	rows := [][]string{{"configuration", "refreshes/s", "vs floor", "CPU per refresh", "vs floor, by CPU", "p50", "p99", "p99 added", "vs floor's added", "reached GoTo"}}
	for _, s := range rep.Subjects {
		if s.Skipped != "" {
			rows = append(rows, []string{s.Label, "not run: " + s.Skipped, na, na, na, na, na, na, na, na})
			continue
		}
		vsRate, vsAdded, added, cpu, vsCPU := na, na, na, na, na
		if s.CPU > 0 {
			cpu = microseconds(s.CPU)
			if s.RedisCPU > 0 {
				cpu += " (Redis " + microseconds(s.RedisCPU) + ")"
			}
		}
		if floor != nil && floor.Rate > 0 {
			vsRate = x(s.VsFloor)
			if s.VsFloorCPU > 0 {
				vsCPU = x(s.VsFloorCPU)
			}
			if s.Name != "direct" && s.Name != "floor" && floor.AddedP99 > 0 && rep.find("direct") != nil {
				vsAdded = x(s.AddedP99 / floor.AddedP99)
			}
		}
		if s.Name != "direct" && rep.find("direct") != nil {
			added = milliseconds(s.AddedP99)
		}
		rows = append(rows, []string{s.Label, perSecond(s.Rate), vsRate, cpu, vsCPU, milliseconds(s.P50), milliseconds(s.P99), added, vsAdded,
			strconv.FormatInt(s.Upstream, 10) + " of " + strconv.FormatInt(s.Sent, 10)})
	}
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	line := func(r []string) {
		for i, c := range r {
			fmt.Fprintf(w, "| %s%s ", c, strings.Repeat(" ", widths[i]-len([]rune(c))))
		}
		fmt.Fprintln(w, "|")
	}
	line(rows[0])
	for i := range widths {
		fmt.Fprintf(w, "| %s ", strings.Repeat("-", widths[i]))
	}
	fmt.Fprintln(w, "|")
	for _, r := range rows[1:] {
		line(r)
	}
	fmt.Fprintln(w)
	for _, t := range rep.Targets {
		verdict := "MISSED"
		if t.Met {
			verdict = "met   "
		}
		fmt.Fprintf(w, "%s %s: %s vs %s = %s, limit %s\n", verdict, t.Name, t.unit(t.Value), t.unit(t.Reference), x(t.Ratio), x(t.Limit))
	}
}
