//! Seed 1: `speak`, a goroutine beside main.

use std::time::Duration;

async fn speak(word: &'static str) {
    for _ in 0..3 {
        println!("{word}");
        goro::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Go's program sleeps a second and hopes; goro waits for the goroutine itself.
pub async fn run() {
    println!("== goroutines: speak ==");
    let other = goro::go(speak("Goroutine says: Hi!"));
    speak("Main says: Hello!").await;
    other.await.expect("speak panicked");
}
