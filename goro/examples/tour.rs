//! A guided run of the seed programs, in the order the articles teach them.
//! `cargo run --release --example tour`

use std::time::Duration;

/// Seed 1: `speak`, a goroutine beside main.
async fn speak(word: &'static str) {
    for _ in 0..3 {
        println!("{word}");
        goro::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn tour_speak() {
    println!("== goroutines: speak ==");
    let other = goro::go(speak("Goroutine says: Hi!"));
    speak("Main says: Hello!").await;
    // Instead of Go's time.Sleep(1s) guess, wait for the goroutine itself.
    other.await.expect("speak panicked");
}

#[goro::main]
async fn main() {
    tour_speak().await;
}
