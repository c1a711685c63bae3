// crossbeam-channel's benchmark workloads on Go channels (the shapes of
// crossbeam-channel/benchmarks/go.go, written afresh, with the message count
// of main.go).
package main

import (
	"fmt"
	"sync"
	"time"
)

// channels runs a channel workload; Go has no unbounded channel (n/a).
func channels(workload, flavor string) (float64, string, bool) {
	var capacity int
	switch flavor {
	case "unbuffered":
		capacity = 0
	case "bounded1":
		capacity = 1
	case "boundedN":
		capacity = messages
	case "unbounded":
		return 0, "flavor not offered", false
	default:
		panic("unknown flavor " + flavor)
	}
	f := map[string]func(int){
		"seq": seq, "spsc": spsc, "mpsc": mpsc, "mpmc": mpmc,
		"select_rx": selectRx, "select_both": selectBoth,
	}[workload]
	if f == nil {
		panic("unknown workload " + workload)
	}
	start := time.Now()
	f(capacity)
	return time.Since(start).Seconds(), probe.extra(), true
}

// probe is the interleaving probe of spsc and mpsc, as the Rust programs'
// bench_common::probe: when the consumer got its first message and when the
// first and the last producer finished sending, in milliseconds since the
// producers were started. A runtime that runs the producer to the end before the consumer
// wins time on a buffer that holds every message; this shows whether it
// did. A handful of calls per run, never one per message.
var probe probeMarks

type probeMarks struct {
	mu                                   sync.Mutex
	start, firstRecv, firstEnd, sendsEnd time.Time // zero until marked
}

// begin marks the start: call right before starting the producers.
func (p *probeMarks) begin() {
	now := time.Now()
	p.mu.Lock()
	p.start, p.firstRecv, p.firstEnd, p.sendsEnd = now, time.Time{}, time.Time{}, time.Time{}
	p.mu.Unlock()
}

// received marks the consumer's first message (only the first call counts).
func (p *probeMarks) received() {
	now := time.Now() // read before the lock: waiting for it is not the consumer's time
	p.mu.Lock()
	if p.firstRecv.IsZero() {
		p.firstRecv = now
	}
	p.mu.Unlock()
}

// sent marks one producer's end of sending; the earliest and the latest of
// them are kept.
func (p *probeMarks) sent() {
	now := time.Now() // before the lock, so min and max are the true finishes
	p.mu.Lock()
	if p.firstEnd.IsZero() || now.Before(p.firstEnd) {
		p.firstEnd = now
	}
	if now.After(p.sendsEnd) {
		p.sendsEnd = now
	}
	p.mu.Unlock()
}

// extra is "first_recv_ms=X;first_done_ms=Y;sends_done_ms=Z", or "" where the workload
// marked no first receive (all but spsc and mpsc).
func (p *probeMarks) extra() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.start.IsZero() || p.firstRecv.IsZero() || p.sendsEnd.IsZero() {
		return ""
	}
	ms := func(t time.Time) float64 { return float64(t.Sub(p.start).Nanoseconds()) / 1e6 }
	return fmt.Sprintf("first_recv_ms=%.3f;first_done_ms=%.3f;sends_done_ms=%.3f",
		ms(p.firstRecv), ms(p.firstEnd), ms(p.sendsEnd))
}

// produce sends n messages, marks the probe's end of sending (reported only
// where spsc/mpsc ran) and signals done.
func produce(c chan message, n int, done chan bool) {
	for i := 0; i < n; i++ {
		c <- message(i)
	}
	probe.sent()
	done <- true
}

// consumeProbed is the single consumer of spsc and mpsc: its first receive
// is marked apart from the loop over the rest, so no message pays a branch.
func consumeProbed(c chan message) {
	<-c
	probe.received()
	for i := 1; i < messages; i++ {
		<-c
	}
}

func seq(capacity int) {
	c := make(chan message, capacity)
	for i := 0; i < messages; i++ {
		c <- message(i)
	}
	for i := 0; i < messages; i++ {
		<-c
	}
}

func spsc(capacity int) {
	c, done := make(chan message, capacity), make(chan bool)
	probe.begin()
	go produce(c, messages, done)
	consumeProbed(c)
	<-done
}

func mpsc(capacity int) {
	c, done := make(chan message, capacity), make(chan bool)
	probe.begin()
	for t := 0; t < threads; t++ {
		go produce(c, messages/threads, done)
	}
	consumeProbed(c)
	for t := 0; t < threads; t++ {
		<-done
	}
}

func mpmc(capacity int) {
	c, done := make(chan message, capacity), make(chan bool)
	for t := 0; t < threads; t++ {
		go produce(c, messages/threads, done)
		go func() {
			for i := 0; i < messages/threads; i++ {
				<-c
			}
			done <- true
		}()
	}
	for t := 0; t < 2*threads; t++ {
		<-done
	}
}

func make4(capacity int, done chan bool) [4]chan message {
	var cs [4]chan message
	for i := range cs {
		cs[i] = make(chan message, capacity)
		go produce(cs[i], messages/threads, done)
	}
	return cs
}

func select4(cs [4]chan message) {
	select {
	case <-cs[0]:
	case <-cs[1]:
	case <-cs[2]:
	case <-cs[3]:
	}
}

func selectRx(capacity int) {
	done := make(chan bool)
	cs := make4(capacity, done)
	for i := 0; i < messages; i++ {
		select4(cs)
	}
	for t := 0; t < threads; t++ {
		<-done
	}
}

func selectBoth(capacity int) {
	done := make(chan bool)
	cs := make4(capacity, done)
	for t := 0; t < threads; t++ {
		go func() {
			for i := 0; i < messages/threads; i++ {
				select4(cs)
			}
			done <- true
		}()
	}
	for t := 0; t < 2*threads; t++ {
		<-done
	}
}
