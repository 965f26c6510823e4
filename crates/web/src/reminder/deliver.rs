//! Attempting the due deliveries of the outbox, one channel each: in-app (the notification and the
//! delivered mark in one transaction: exactly once), email and SMS (at least once: an attempt cut
//! off after the receiver took it but before it was marked is made again with the same key, by
//! which receivers de-duplicate).

use super::Settings;
use crate::App;
use qiangji_store::StoreError;
use qiangji_store::reminder::{Channel, Delivery, backoff};
use tokio::sync::watch;

/// Deliveries claimed at a time. Each attempt is bounded by the clients' timeout, so a batch ends
/// well within its lease ([`qiangji_store::reminder::LEASE_SECONDS`]).
const BATCH: i64 = 10;

/// Attempts every delivery due now, batch after batch, until none is left or `stopping` turns
/// true; returns how many were attempted.
pub async fn run(app: &App, settings: &Settings, stopping: &watch::Receiver<bool>) -> Result<usize, StoreError> {
    let mut attempted = 0;
    loop {
        let batch = app.store.claim_deliveries(&app.system, chrono::Utc::now(), BATCH).await?;
        if batch.is_empty() {
            return Ok(attempted);
        }
        for d in &batch {
            if *stopping.borrow() {
                // The rest of the batch is retried when its lease ends.
                return Ok(attempted);
            }
            attempt(app, settings, d).await?;
            attempted += 1;
        }
    }
}

async fn attempt(app: &App, settings: &Settings, d: &Delivery) -> Result<(), StoreError> {
    let sent = match d.channel {
        Channel::InApp => return app.store.deliver_in_app(&app.system, d, chrono::Utc::now()).await,
        // Queued while the channel was configured; kept until it is again.
        Channel::Email => match &settings.smtp {
            Some(smtp) => smtp.send(&d.recipient, &d.title, &d.body, &d.key).await,
            None => Err("邮件服务器未配置（--smtp）".to_owned()),
        },
        Channel::Sms => match &settings.sms {
            Some(hook) => hook.send(&d.address(app.store.keys())?, &d.title, &d.key).await,
            None => Err("短信网关未配置（--sms-hook）".to_owned()),
        },
    };
    let now = chrono::Utc::now();
    match sent {
        Ok(()) => app.store.mark_delivered(&app.system, d, now).await,
        Err(e) => {
            tracing::info!(
                "提醒 {} 经{}发送给 {} 失败（第{}次）：{e}",
                d.key,
                d.channel.label(),
                d.recipient,
                d.attempts
            );
            app.store.mark_failed(&app.system, d, &e, now + backoff(d.attempts, settings.first_retry)).await
        }
    }
}
