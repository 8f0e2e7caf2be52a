//! Generation jobs: the queue, the workers that run it and the event bus that reports it.

pub mod events;
pub mod queue;
pub mod worker;
