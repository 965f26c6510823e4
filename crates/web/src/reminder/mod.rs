//! Reminders (提醒): scheduling them from the early-warning board, delivering the outbox in the
//! application, by email (SMTP) and by SMS (an HTTP hook), and the pages that show them — a
//! user's notifications and a subtree's outbox.
//!
//! The worker runs in the server ([`spawn`]): every [`Settings::interval`] it schedules the day's
//! reminders (once a day; enqueueing is idempotent anyway) and attempts every due delivery.

pub mod deliver;
pub mod notifications;
pub mod outbox;
pub mod schedule;
pub mod sms;
pub mod smtp;

use crate::App;
use qiangji_domain::Date;
use qiangji_store::reminder::Channel;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How the server reminds: how often it looks, through which channels, and as of which day.
#[derive(Debug, Clone)]
pub struct Settings {
    pub interval: Duration,
    /// The wait before the first retry of a failed delivery; it doubles with each failure, up to
    /// an hour ([`qiangji_store::reminder::MAX_BACKOFF`]).
    pub first_retry: Duration,
    pub smtp: Option<smtp::Smtp>,
    pub sms: Option<sms::SmsHook>,
    /// The day to schedule for instead of today (rehearsals and tests).
    pub day: Option<Date>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            interval: Duration::from_secs(60),
            first_retry: Duration::from_secs(60),
            smtp: None,
            sms: None,
            day: None,
        }
    }
}

impl Settings {
    fn today(&self) -> Date {
        self.day.unwrap_or_else(qiangji_domain::date::today)
    }

    /// The channels reminders can go through: in-app always, email and SMS when configured.
    pub fn channels(&self) -> Vec<Channel> {
        let mut out = vec![Channel::InApp];
        out.extend(self.smtp.as_ref().map(|_| Channel::Email));
        out.extend(self.sms.as_ref().map(|_| Channel::Sms));
        out
    }
}

/// The running worker; [`Worker::stop`] lets the attempt in flight finish first, so that a
/// message the receiver accepted is also marked delivered.
pub struct Worker {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Worker {
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Starts the reminder worker.
pub fn spawn(app: Arc<App>, settings: Settings) -> Worker {
    let (stop, mut stopping) = watch::channel(false);
    let task = tokio::spawn(async move {
        while !*stopping.borrow() {
            // Schedule on the engine as it stands now, not as it stood up to two seconds ago.
            if let Err(e) = app.refresh().await {
                tracing::warn!("提醒：统计引擎跟随账本失败：{e}");
            }
            let (started, day) = (std::time::Instant::now(), settings.today());
            match schedule::run(&app, day, &settings.channels()).await {
                Ok(None) => {}
                Ok(Some(n)) => tracing::info!("提醒：{day}新生成{n}条，用时{:.1}秒", started.elapsed().as_secs_f64()),
                Err(e) => tracing::warn!("提醒：生成失败：{e}"),
            }
            let started = std::time::Instant::now();
            match deliver::run(&app, &settings, &stopping).await {
                Ok(0) => {}
                Ok(n) => tracing::info!("提醒：尝试发送{n}次，用时{:.1}秒", started.elapsed().as_secs_f64()),
                Err(e) => tracing::warn!("提醒：发送失败：{e}"),
            }
            tokio::select! {
                _ = tokio::time::sleep(settings.interval) => {}
                _ = stopping.changed() => {}
            }
        }
    });
    Worker { stop, task }
}
