//! folio: a terminal article reader that lays out right-to-left text correctly.
//!
//! Data flows one way: file → [`library::Article`] → [`text::layout`] → [`ui`] widgets → terminal,
//! and key → [`app::Action`] → [`app::update`] → state.

pub mod app;
pub mod config;
pub mod feeds;
pub mod keymap;
pub mod library;
pub mod serve;
pub mod store;
pub mod term;
pub mod text;
pub mod ui;
pub mod watch;
pub mod work;
