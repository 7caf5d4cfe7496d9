//! folio: a terminal article reader that lays out right-to-left text correctly.
//!
//! Data flows one way: file → [`library::Article`] → [`text::layout`] → [`ui`] widgets → terminal,
//! and key → [`app::Action`] → [`app::update`] → state.

pub mod text;
pub mod library;
