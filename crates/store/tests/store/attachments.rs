//! Photos and files on a record: limits refused whole, scope like the record, evidence for the
//! checks for formalism.

use crate::fixture::{Backend, d, tree};
use crate::on_both;
use qiangji_domain::orglife::attachment::{MAX_BYTES, MAX_PER_MEETING};
use qiangji_domain::orglife::{Attendance, MeetingInput};
use qiangji_store::orglife::AttendanceEntry;
use qiangji_store::orglife::attachment::AttachmentId;
use qiangji_store::{Role, StoreError};

const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3];

fn theme_day() -> qiangji_domain::orglife::MeetingFields {
    MeetingInput {
        kind: "theme_day".into(),
        held_on: "2026-11-20".into(),
        place: "活动室".into(),
        host: "张三".into(),
        recorder: "李四".into(),
        topic: "志愿服务".into(),
        content: "清扫小区。".into(),
        starts_at: "14:00".into(),
        ends_at: "16:00".into(),
        ..Default::default()
    }
    .validate(d("2026-11-23"))
    .unwrap()
}

fn code(e: StoreError) -> &'static str {
    e.code()
}

async fn files_over_the_limits_are_refused_and_nothing_is_half_written(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    let id = s.record_meeting(&t.system, t.a, &theme_day(), &[]).await.unwrap();
    let before = t.head().await;
    let mut big = vec![0u8; MAX_BYTES + 1];
    big[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
    assert_eq!(s.add_attachment(&t.system, id, "大.jpg", &big).await.map_err(code), Err("attachment.too_large"));
    let docx = b"PK\x03\x04word";
    assert_eq!(s.add_attachment(&t.system, id, "纪要.jpg", docx).await.map_err(code), Err("attachment.type_unknown"));
    assert_eq!(t.head().await, before, "refused files write nothing");
    for i in 0..MAX_PER_MEETING {
        s.add_attachment(&t.system, id, &format!("照片{i}.jpg"), JPEG).await.unwrap();
    }
    let full = t.head().await;
    assert_eq!(full, before + MAX_PER_MEETING as i64, "one ledger entry per file");
    assert_eq!(s.add_attachment(&t.system, id, "多.jpg", JPEG).await.map_err(code), Err("attachment.too_many"));
    assert_eq!(t.head().await, full);
    let m = s.get_meeting(&t.system, id).await.unwrap();
    assert_eq!(m.attachments.len(), MAX_PER_MEETING);
    assert!(qiangji_store::check::run(s.db()).await.unwrap().problems.is_empty(), "every file went through the ledger");
}
on_both!(files_over_the_limits_are_refused_and_nothing_is_half_written);

async fn an_attachment_is_read_back_within_the_scope_of_its_record(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    let id = s.record_meeting(&t.system, t.a, &theme_day(), &[]).await.unwrap();
    let pdf = b"%PDF-1.7 minutes";
    let file = s.add_attachment(&t.system, id, "C:\\fakepath\\会议记录.pdf", pdf).await.unwrap();
    let (a, bytes) = s.get_attachment(&t.system, id, file).await.unwrap();
    assert_eq!(
        (a.file_name.as_str(), a.content_type.mime(), a.size, bytes.as_slice()),
        ("会议记录.pdf", "application/pdf", 16, &pdf[..])
    );
    assert_eq!(a.sha256, qiangji_store::orglife::attachment::sha256_hex(pdf));
    let other = t.login_as(Role::BranchSecretary, t.b, None).await;
    assert!(matches!(s.get_attachment(&other, id, file).await, Err(StoreError::NotFound)));
    assert!(matches!(s.add_attachment(&other, id, "a.jpg", JPEG).await, Err(StoreError::NotFound)));
    assert!(matches!(s.get_attachment(&t.system, id, AttachmentId(file.0 + 1)).await, Err(StoreError::NotFound)));
    let member = t.login_as(Role::Member, t.a, Some(t.zhang)).await;
    assert!(matches!(s.add_attachment(&member, id, "a.jpg", JPEG).await, Err(StoreError::Forbidden)));
}
on_both!(an_attachment_is_read_back_within_the_scope_of_its_record);

async fn evidence_of_a_subtree_has_times_members_present_and_photos(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    let present = [AttendanceEntry { member_id: t.zhang, attendance: Attendance::Present, reason: String::new() }];
    let id = s.record_meeting(&t.system, t.a, &theme_day(), &present).await.unwrap();
    s.add_attachment(&t.system, id, "合影.jpg", JPEG).await.unwrap();
    s.add_attachment(&t.system, id, "纪要.pdf", b"%PDF-1.7").await.unwrap();
    let e = s.list_evidence(&t.system, t.street).await.unwrap();
    assert_eq!(e.len(), 1);
    let times = e[0].times.map(|t| (t.starts_at().to_string(), t.ends_at().to_string()));
    assert_eq!(times, Some(("14:00".into(), "16:00".into())));
    assert_eq!(e[0].present, [t.zhang]);
    assert_eq!(e[0].photos, [qiangji_store::orglife::attachment::sha256_hex(JPEG)], "photos only, not the PDF");
    assert!(s.list_evidence(&t.system, t.b).await.unwrap().is_empty(), "another branch's subtree");
}
on_both!(evidence_of_a_subtree_has_times_members_present_and_photos);
