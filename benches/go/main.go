// Go's side of goro's benchmarks: the same workloads as the Rust binaries
// in ../, standard library only. Called as `go-bench WORKLOAD FLAVOR`, it
// prints one line `go,workload,flavor,seconds,extra` ("n/a" where Go has no
// such case, e.g. unbounded channels).
//
// Sizes must match ../common/src/lib.rs.
package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const (
	messages        = 200_000 // crossbeam's 5,000,000 / 25
	threads         = 4
	spawnN          = 1_000_000
	parkN           = 1_000_000
	yieldRounds     = 100_000
	yieldComputeGs  = 2
	yieldComputeN   = 100_000
	burnSteps       = 1_000
	mutexIncrements = 1_000_000
	fanoutN         = 100_000
	ctxNodes        = 10_000
	ctxFanout       = 10
	mapKeys         = 1_000
	mapOps          = 250_000
	mapStoreEvery   = 100
)

type message = uintptr

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: go-bench WORKLOAD FLAVOR")
		os.Exit(2)
	}
	workload, flavor := os.Args[1], os.Args[2]
	secs, extra, ok := dispatch(workload, flavor)
	if !ok {
		fmt.Printf("go,%s,%s,n/a,%s\n", workload, flavor, extra)
		return
	}
	fmt.Printf("go,%s,%s,%.6f,%s\n", workload, flavor, secs, extra)
}

// dispatch runs one case; ok is false (with the reason in extra) for n/a.
func dispatch(workload, flavor string) (secs float64, extra string, ok bool) {
	switch workload {
	case "spawn_join_1m":
		return timed(spawnJoin), "", true
	case "park_1m":
		secs, extra = park()
		return secs, extra, true
	case "yield_pingpong":
		if flavor == "procs1" {
			runtime.GOMAXPROCS(1)
		}
		return timed(yieldPingpong), "", true
	case "yield_compute":
		return timed(yieldCompute), "", true
	case "mutex_counter":
		g, _ := strconv.Atoi(strings.TrimPrefix(flavor, "g"))
		return timed(func() { mutexCounter(g) }), "", true
	case "waitgroup_fanout":
		return timed(waitgroupFanout), "", true
	case "map_read_mostly":
		return timed(mapReadMostly), "", true
	case "context_cancel_tree":
		secs, extra = contextTree()
		return secs, extra, true
	}
	return channels(workload, flavor)
}

func timed(f func()) float64 {
	start := time.Now()
	f()
	return time.Since(start).Seconds()
}

// spawnJoin: 1,000,000 goroutines, each leaving its result in its own slot,
// joined by one WaitGroup. This is the fairest Go match for "spawn and await
// every JoinHandle": a per-goroutine result channel would cost Go an extra
// allocation per goroutine that Rust's join handle does not model.
func spawnJoin() {
	results := make([]int, spawnN)
	var wg sync.WaitGroup
	wg.Add(spawnN)
	for i := 0; i < spawnN; i++ {
		go func() {
			results[i] = i
			wg.Done()
		}()
	}
	wg.Wait()
	sink(results[spawnN-1])
}

var sinkVar atomic.Int64

func sink(v int) { sinkVar.Store(int64(v)) }

// park: 1,000,000 goroutines parked on one channel, released by closing it.
func park() (float64, string) {
	runtime.GC()
	baseline := statusKiB("VmRSS:")
	start := time.Now()
	release := make(chan struct{})
	var parked, done sync.WaitGroup
	parked.Add(parkN)
	done.Add(parkN)
	for i := 0; i < parkN; i++ {
		go func() {
			parked.Done()
			<-release
			done.Done()
		}()
	}
	parked.Wait()
	withParked := statusKiB("VmRSS:")
	close(release)
	done.Wait()
	secs := time.Since(start).Seconds()
	per := float64(withParked-baseline) * 1024 / parkN
	return secs, fmt.Sprintf("peak_rss_kib=%d;bytes_per_goroutine=%.1f", statusKiB("VmHWM:"), per)
}

// statusKiB reads a kB field of /proc/self/status.
func statusKiB(key string) int64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, key) {
			f := strings.Fields(line)
			v, _ := strconv.ParseInt(f[1], 10, 64)
			return v
		}
	}
	return 0
}

// burn: burnSteps steps of x = x*(x|1) + i, each depending on the last
// (the Rust programs' bench_common::burn).
//
//go:noinline
func burn(seed uint64) uint64 {
	x := seed
	for i := uint64(0); i < burnSteps; i++ {
		x = x*(x|1) + i
	}
	return x
}

var burnSink atomic.Uint64

// yieldCompute: yieldComputeGs goroutines, each yieldComputeN times burn
// and Gosched: independent work that should use every core.
func yieldCompute() {
	var wg sync.WaitGroup
	for g := 0; g < yieldComputeGs; g++ {
		wg.Go(func() {
			x := uint64(g)
			for r := 0; r < yieldComputeN; r++ {
				x = burn(x)
				runtime.Gosched()
			}
			burnSink.Add(x)
		})
	}
	wg.Wait()
}

// yieldPingpong: two goroutines take turns through an atomic counter,
// calling Gosched while it is the other's turn.
func yieldPingpong() {
	var turn atomic.Int64
	var wg sync.WaitGroup
	for me := 0; me < 2; me++ {
		wg.Go(func() {
			for r := 0; r < yieldRounds; r++ {
				for turn.Load() != int64(2*r+me) {
					runtime.Gosched()
				}
				turn.Store(int64(2*r + me + 1))
			}
		})
	}
	wg.Wait()
}

// mapReadMostly: sync.Map with mapKeys entries, 4 goroutines, 99% Load,
// 1% Store (the read-mostly use sync.Map is for).
func mapReadMostly() {
	var m sync.Map
	for k := uint64(0); k < mapKeys; k++ {
		m.Store(k, k)
	}
	var wg sync.WaitGroup
	var hits atomic.Uint64
	for t := uint64(0); t < threads; t++ {
		wg.Go(func() {
			n := uint64(0)
			for i := uint64(0); i < mapOps; i++ {
				k := (i*7919 + t) % mapKeys
				if i%mapStoreEvery == 0 {
					m.Store(k, i)
				} else if _, ok := m.Load(k); ok {
					n++
				}
			}
			hits.Add(n)
		})
	}
	wg.Wait()
	if hits.Load() == 0 {
		panic("no hits")
	}
}

func mutexCounter(g int) {
	var mu sync.Mutex
	counter := 0
	var wg sync.WaitGroup
	for i := 0; i < g; i++ {
		wg.Go(func() {
			for j := 0; j < mutexIncrements/g; j++ {
				mu.Lock()
				counter++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if counter != mutexIncrements/g*g {
		panic("lost increments")
	}
}

func waitgroupFanout() {
	var wg sync.WaitGroup
	for i := 0; i < fanoutN; i++ {
		wg.Go(func() {})
	}
	wg.Wait()
}

// contextTree: a 10-ary tree of 10,000 cancel contexts, a goroutine parked
// on each Done; the root is cancelled and we wait until all have observed it.
func contextTree() (float64, string) {
	start := time.Now()
	ctxs := make([]context.Context, 0, ctxNodes)
	cancels := make([]context.CancelFunc, 0, ctxNodes)
	root, cancel := context.WithCancel(context.Background())
	ctxs, cancels = append(ctxs, root), append(cancels, cancel)
	for i := 1; i < ctxNodes; i++ {
		c, cf := context.WithCancel(ctxs[(i-1)/ctxFanout])
		ctxs, cancels = append(ctxs, c), append(cancels, cf)
	}
	var parked, observed sync.WaitGroup
	parked.Add(ctxNodes)
	observed.Add(ctxNodes)
	for _, c := range ctxs {
		go func() {
			done := c.Done()
			parked.Done()
			<-done
			observed.Done()
		}()
	}
	parked.Wait()
	cancelAt := time.Now()
	cancels[0]()
	observed.Wait()
	for _, cf := range cancels {
		cf()
	}
	return time.Since(start).Seconds(), fmt.Sprintf("cancel_to_observed_s=%.6f", time.Since(cancelAt).Seconds())
}
