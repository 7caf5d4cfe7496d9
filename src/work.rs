//! Work off the loop: what the app asks for as [`Effect::Work`](crate::app::Effect::Work) and a
//! front end starts here. Each job runs on a thread of its own, reads what it must, and posts
//! what it finds back into the loop's input as [`Input::Done`]; a job whose loop has gone (the
//! post fails) stops.

use std::sync::Arc;

use crate::app::{Done, Work};
use crate::term::Input;

/// Posts input into a loop; `false` once the loop has gone.
pub type Poster = Arc<dyn Fn(Input) -> bool + Send + Sync>;

/// A poster over a channel's sender.
pub fn poster(tx: std::sync::mpsc::Sender<Input>) -> Poster {
    Arc::new(move |input| tx.send(input).is_ok())
}

/// A poster over a bounded channel whose sender someone else owns: a worker waits while the
/// loop catches up, and stops once the owner has dropped the sender (the loop's input closed).
pub fn weak_poster(tx: std::sync::Weak<std::sync::mpsc::SyncSender<Input>>) -> Poster {
    Arc::new(move |input| tx.upgrade().is_some_and(|tx| tx.send(input).is_ok()))
}

/// Start `work`; what it finds goes to `post`.
pub fn start(work: Work, post: Poster) {
    let job = move || match work {
        Work::FillLibrary(plan) => {
            crate::library::fill(&plan, |report| post(Input::Done(Done::Fill(report))));
        }
        Work::LoadArticle { index, path } => {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let article = crate::library::load_article(&path, &name).map(Box::new);
            post(Input::Done(Done::Loaded { index, article }));
        }
    };
    // A thread that cannot start is work not done: the reader goes on without it.
    let _ = std::thread::Builder::new()
        .name("folio-work".into())
        .spawn(job);
}
