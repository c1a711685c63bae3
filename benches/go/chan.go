// crossbeam-channel's benchmark workloads on Go channels (the shapes of
// crossbeam-channel/benchmarks/go.go, written afresh, with the message count
// of main.go).
package main

import "time"

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
	return time.Since(start).Seconds(), "", true
}

func produce(c chan message, n int, done chan bool) {
	for i := 0; i < n; i++ {
		c <- message(i)
	}
	done <- true
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
	go produce(c, messages, done)
	for i := 0; i < messages; i++ {
		<-c
	}
	<-done
}

func mpsc(capacity int) {
	c, done := make(chan message, capacity), make(chan bool)
	for t := 0; t < threads; t++ {
		go produce(c, messages/threads, done)
	}
	for i := 0; i < messages; i++ {
		<-c
	}
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
