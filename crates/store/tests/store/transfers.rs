//! 组织关系转接 through the store: both sides as different users, letters, receipts, refusals,
//! and races that must leave exactly one winner.

use crate::fixture::{Backend, Tree, d, member, tree};
use crate::on_both;
use qiangji_domain::date::today;
use qiangji_domain::member::StatusChange;
use qiangji_domain::member::{MemberId, MemberStatus};
use qiangji_domain::transfer::{TransferAction as A, TransferId, TransferState};
use qiangji_store::transfer::{Destination, LetterInput};
use qiangji_store::{Access, Role, StoreError};

fn letter() -> LetterInput {
    LetterInput { valid_months: 3, dues_paid_to: today().format("%Y-%m").to_string() }
}

async fn step(t: &Tree, who: &Access, id: TransferId, action: A) -> Result<TransferState, StoreError> {
    let letter = letter();
    let note = match action {
        A::SendBack | A::Reject | A::Withdraw => "材料不全",
        _ => "",
    };
    t.store().transfer_step(who, id, action, today(), note, Some(&letter)).await
}

/// An internal transfer of 张三 from branch A (street) to branch C1 (company) up to the letter.
async fn issued(t: &Tree, sending: &Access) -> TransferId {
    let s = t.store();
    let id = s.request_transfer(sending, t.zhang, &Destination::Org(t.c1), "工作调动", today()).await.unwrap();
    assert_eq!(step(t, sending, id, A::Approve).await.unwrap(), TransferState::Approved);
    assert_eq!(step(t, sending, id, A::IssueLetter).await.unwrap(), TransferState::LetterIssued);
    id
}

async fn org_of(t: &Tree, m: MemberId) -> i64 {
    t.store().get_member(&t.system, m).await.unwrap().org_id.0
}

async fn an_internal_transfer_is_handled_by_both_sides_and_moves_the_member_once(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    let sending = t.login_as(Role::BranchSecretary, t.a, None).await;
    let receiving = t.login_as(Role::BranchSecretary, t.c1, None).await;
    let id = issued(&t, &sending).await;
    let tr = s.get_transfer(&receiving, id).await.unwrap();
    assert_eq!(tr.state, TransferState::LetterIssued);
    assert_eq!(tr.serial.unwrap().number, 1);
    assert_eq!(tr.to_name(), "中共某公司第一支部委员会");
    // In transit the member is still A's, and the receiving side sees the transfer in its list.
    assert_eq!(org_of(&t, t.zhang).await, t.a.0);
    assert_eq!(s.list_transfers(&receiving, t.c1, false).await.unwrap().len(), 1);
    assert_eq!(s.list_transfers(&sending, t.a, false).await.unwrap().len(), 1);
    // Each side can only take its own steps.
    assert_eq!(step(&t, &sending, id, A::Receive).await.unwrap_err().code(), "transfer.wrong_side");
    assert_eq!(step(&t, &receiving, id, A::Withdraw).await.unwrap_err().code(), "transfer.wrong_side");
    // The receiving secretary cannot read the member's record before taking them in.
    assert!(matches!(s.get_member(&receiving, t.zhang).await, Err(StoreError::NotFound)));
    let before = t.head().await;
    assert_eq!(step(&t, &receiving, id, A::Receive).await.unwrap(), TransferState::Received);
    assert!(t.head().await >= before + 2, "the receive and the move are both in the ledger");
    assert_eq!(org_of(&t, t.zhang).await, t.c1.0);
    assert_eq!(s.get_member(&receiving, t.zhang).await.unwrap().org_id, t.c1);
    assert_eq!(step(&t, &receiving, id, A::Report).await.unwrap(), TransferState::Reported);
    assert_eq!(step(&t, &receiving, id, A::ReturnReceipt).await.unwrap(), TransferState::Completed);
    let h = s.member_history(&t.system, t.zhang).await.unwrap();
    let spans: Vec<_> = h.memberships.iter().map(|m| (m.org_id, m.valid_from, m.valid_to)).collect();
    assert_eq!(spans, [(t.a, d("2020-01-01"), Some(today())), (t.c1, today(), None)]);
    let kinds: Vec<_> = h.entries.iter().map(|e| e.kind.as_str()).filter(|k| k.starts_with("transfer.")).collect();
    assert_eq!(
        kinds,
        [
            "transfer.requested",
            "transfer.approved",
            "transfer.letter_issued",
            "transfer.received",
            "transfer.reported",
            "transfer.receipt_returned"
        ]
    );
    let steps = s.transfer_steps(id).await.unwrap();
    assert_eq!(steps.len(), 6);
    assert_eq!(steps.last().unwrap().state, TransferState::Completed);
    // Finished: no step is left, and a new transfer may start.
    assert_eq!(step(&t, &receiving, id, A::Report).await.unwrap_err().code(), "transfer.illegal_step");
    assert!(s.list_transfers(&receiving, t.c1, false).await.unwrap().is_empty());
    assert_eq!(s.list_transfers(&receiving, t.c1, true).await.unwrap().len(), 1);
}
on_both!(an_internal_transfer_is_handled_by_both_sides_and_moves_the_member_once);

async fn an_open_transfer_blocks_manual_changes_and_a_second_transfer(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    let id = s.request_transfer(&t.system, t.zhang, &Destination::Org(t.b), "就近", today()).await.unwrap();
    let before = t.head().await;
    let again = s.request_transfer(&t.system, t.zhang, &Destination::Org(t.c1), "重复", today()).await;
    assert_eq!(again.unwrap_err().code(), "transfer.already_open");
    let moved = s.move_member(&t.system, t.zhang, t.b, today(), "手工调整").await;
    assert_eq!(moved.unwrap_err().code(), "member.in_transfer");
    let status = s
        .change_status(
            &t.system,
            t.zhang,
            &StatusChange::new(MemberStatus::Suspended, today(), "处分").approved("上级党委", today()),
        )
        .await;
    assert_eq!(status.unwrap_err().code(), "member.in_transfer");
    assert_eq!(t.head().await, before, "nothing refused is written");
    // Withdrawn, the member is free again.
    assert_eq!(step(&t, &t.system, id, A::Withdraw).await.unwrap(), TransferState::Withdrawn);
    s.move_member(&t.system, t.zhang, t.b, today(), "手工调整").await.unwrap();
}
on_both!(an_open_transfer_blocks_manual_changes_and_a_second_transfer);

async fn refusals_name_what_is_wrong(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    let to_self = s.request_transfer(&t.system, t.zhang, &Destination::Org(t.a), "原地", today()).await;
    assert_eq!(to_self.unwrap_err().code(), "transfer.same_org");
    let to_group = s.request_transfer(&t.system, t.zhang, &Destination::Org(t.a1), "小组", today()).await;
    assert!(to_group.is_err());
    let no_reason = s.request_transfer(&t.system, t.zhang, &Destination::Org(t.b), " ", today()).await;
    assert_eq!(no_reason.unwrap_err().code(), "transfer.reason_missing");
    let nowhere = s.request_transfer(&t.system, t.zhang, &Destination::Outside(" ".into()), "外地", today()).await;
    assert_eq!(nowhere.unwrap_err().code(), "transfer.destination_missing");
    let tomorrow = today() + chrono::Days::new(1);
    let future = s.request_transfer(&t.system, t.zhang, &Destination::Org(t.b), "将来", tomorrow).await;
    assert_eq!(future.unwrap_err().code(), "transfer.date_in_future");
    // A branch secretary cannot transfer someone of another branch.
    let other = t.login_as(Role::BranchSecretary, t.b, None).await;
    let out_of_scope = s.request_transfer(&other, t.zhang, &Destination::Org(t.b), "越权", today()).await;
    assert!(matches!(out_of_scope, Err(StoreError::NotFound)), "{out_of_scope:?}");
    // A letter needs a sane validity and dues month; sending back needs a note.
    let id = s.request_transfer(&t.system, t.zhang, &Destination::Org(t.b), "就近", today()).await.unwrap();
    let silent = s.transfer_step(&t.system, id, A::SendBack, today(), "", None).await;
    assert_eq!(silent.unwrap_err().code(), "transfer.note_missing");
    step(&t, &t.system, id, A::Approve).await.unwrap();
    let bad = LetterInput { valid_months: 9, dues_paid_to: "2026-11".into() };
    let r = s.transfer_step(&t.system, id, A::IssueLetter, today(), "", Some(&bad)).await;
    assert_eq!(r.unwrap_err().code(), "transfer.validity_invalid");
    let none = s.transfer_step(&t.system, id, A::IssueLetter, today(), "", None).await;
    assert_eq!(none.unwrap_err().code(), "transfer.letter_missing");
    assert_eq!(s.get_transfer(&t.system, id).await.unwrap().state, TransferState::Approved);
}
on_both!(refusals_name_what_is_wrong);

async fn a_letter_to_outside_keeps_the_member_counted_until_the_receipt(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    let id = s
        .request_transfer(&t.system, t.li, &Destination::Outside("中共外省某县委组织部".into()), "回原籍", today())
        .await
        .unwrap();
    step(&t, &t.system, id, A::Approve).await.unwrap();
    step(&t, &t.system, id, A::IssueLetter).await.unwrap();
    let open = |h: &qiangji_store::member::History| h.memberships.iter().filter(|m| m.valid_to.is_none()).count();
    assert_eq!(open(&s.member_history(&t.system, t.li).await.unwrap()), 1, "in transit, still counted here");
    assert_eq!(step(&t, &t.system, id, A::Receive).await.unwrap_err().code(), "transfer.not_for_direction");
    assert_eq!(step(&t, &t.system, id, A::ReturnReceipt).await.unwrap(), TransferState::Completed);
    let h = s.member_history(&t.system, t.li).await.unwrap();
    assert_eq!(open(&h), 0, "the receipt ends the membership here");
    assert_eq!(h.memberships.last().unwrap().valid_to, Some(today()));
    let again = s.request_transfer(&t.system, t.li, &Destination::Org(t.b), "再转", today()).await;
    assert_eq!(again.unwrap_err().code(), "transfer.member_not_active");
    let moved = s.move_member(&t.system, t.li, t.b, today(), "手工调整").await;
    assert_eq!(moved.unwrap_err().code(), "member.transferred_out");
    let status = s
        .change_status(
            &t.system,
            t.li,
            &StatusChange::new(MemberStatus::Suspended, today(), "处分").approved("上级党委", today()),
        )
        .await;
    assert_eq!(status.unwrap_err().code(), "member.transferred_out");
}
on_both!(a_letter_to_outside_keeps_the_member_counted_until_the_receipt);

async fn a_member_from_outside_is_taken_in_reported_and_receipted(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    let secretary = t.login_as(Role::BranchSecretary, t.b, None).await;
    let fields = member("钱七", "1992-03-04", 55);
    let (m, id) =
        s.register_inbound(&secretary, t.b, &fields, "中共外省某镇委员会", today(), "随配偶迁入").await.unwrap();
    assert_eq!(org_of(&t, m).await, t.b.0);
    let tr = s.get_transfer(&secretary, id).await.unwrap();
    assert_eq!((tr.state, tr.from_name()), (TransferState::Received, "中共外省某镇委员会"));
    assert_eq!(step(&t, &secretary, id, A::Approve).await.unwrap_err().code(), "transfer.not_for_direction");
    assert_eq!(step(&t, &secretary, id, A::Report).await.unwrap(), TransferState::Reported);
    assert_eq!(step(&t, &secretary, id, A::ReturnReceipt).await.unwrap(), TransferState::Completed);
    let dup = s.register_inbound(&secretary, t.b, &fields, "中共外省某镇委员会", today(), "重复").await;
    assert_eq!(dup.unwrap_err().code(), "member.id_number_duplicate");
}
on_both!(a_member_from_outside_is_taken_in_reported_and_receipted);

async fn letters_are_numbered_in_order_within_the_year(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    let mut numbers = Vec::new();
    for (m, to) in [(t.zhang, t.b), (t.wang, t.a), (t.zhao, t.b)] {
        let id = s.request_transfer(&t.system, m, &Destination::Org(to), "调动", today()).await.unwrap();
        step(&t, &t.system, id, A::Approve).await.unwrap();
        step(&t, &t.system, id, A::IssueLetter).await.unwrap();
        numbers.push(s.get_transfer(&t.system, id).await.unwrap().serial.unwrap().number);
    }
    assert_eq!(numbers, [1, 2, 3]);
}
on_both!(letters_are_numbered_in_order_within_the_year);

/// Runs two writes at once and returns how many succeeded.
macro_rules! race {
    ($a:expr, $b:expr) => {{
        let (x, y) = tokio::join!(tokio::spawn($a), tokio::spawn($b));
        let (x, y) = (x.unwrap(), y.unwrap());
        for r in [&x, &y] {
            if let Err(e) = r {
                assert!(
                    !matches!(e, StoreError::Other(_) | StoreError::Unavailable(_)),
                    "a loser fails cleanly: {e:?}"
                );
            }
        }
        usize::from(x.is_ok()) + usize::from(y.is_ok())
    }};
}

async fn concurrent_approvals_and_a_receive_racing_a_move_have_one_winner(b: Backend) {
    use qiangji_domain::org::OrgId;
    let t = tree(b).await;
    let s = t.store().clone();
    let m = t.zhang;
    for round in 0..6 {
        // The three branches that hold members: the member's, the destination, and a third.
        let here = OrgId(org_of(&t, m).await);
        let others: Vec<OrgId> = [t.a, t.b, t.c1].into_iter().filter(|&o| o != here).collect();
        let (to, elsewhere) = (others[round % 2], others[1 - round % 2]);
        // Two requests for the same member at once.
        let (s1, s2, x1, x2) = (s.clone(), s.clone(), t.system.clone(), t.system.clone());
        let won =
            race!(async move { s1.request_transfer(&x1, m, &Destination::Org(to), "甲", today()).await }, async move {
                s2.request_transfer(&x2, m, &Destination::Org(elsewhere), "乙", today()).await
            });
        assert_eq!(won, 1, "one open transfer per member");
        let tr = s.list_transfers(&t.system, t.city, false).await.unwrap().remove(0);
        let (id, to) = (tr.id, tr.to_org.unwrap().0);
        let elsewhere = if to == elsewhere { others.iter().copied().find(|&o| o != to).unwrap() } else { elsewhere };
        // Two approvals of it at once.
        let (s1, s2, x1, x2) = (s.clone(), s.clone(), t.system.clone(), t.system.clone());
        let won = race!(async move { s1.transfer_step(&x1, id, A::Approve, today(), "", None).await }, async move {
            s2.transfer_step(&x2, id, A::Approve, today(), "", None).await
        });
        assert_eq!(won, 1, "one approval");
        step(&t, &t.system, id, A::IssueLetter).await.unwrap();
        // The receive racing a manual move (refused while the letter is out, whichever comes
        // first), or racing the sending side's withdrawal (either may win, not both).
        let (s1, s2, x1, x2) = (s.clone(), s.clone(), t.system.clone(), t.system.clone());
        let won = if round < 3 {
            race!(
                async move { s1.transfer_step(&x1, id, A::Receive, today(), "", None).await.map(|_| ()) },
                async move { s2.move_member(&x2, m, elsewhere, today(), "手工调整").await }
            )
        } else {
            race!(
                async move { s1.transfer_step(&x1, id, A::Receive, today(), "", None).await.map(|_| ()) },
                async move { s2.transfer_step(&x2, id, A::Withdraw, today(), "撤回", None).await.map(|_| ()) }
            )
        };
        assert_eq!(won, 1, "round {round}: one winner");
        let state = s.get_transfer(&t.system, id).await.unwrap().state;
        let now = OrgId(org_of(&t, m).await);
        match state {
            TransferState::Received => {
                assert_eq!(now, to);
                step(&t, &t.system, id, A::Report).await.unwrap();
                step(&t, &t.system, id, A::ReturnReceipt).await.unwrap();
            }
            TransferState::Withdrawn => assert_eq!(now, here),
            other => panic!("round {round}: unexpected {other:?}"),
        }
        let h = s.member_history(&t.system, m).await.unwrap();
        assert_eq!(h.memberships.iter().filter(|x| x.valid_to.is_none()).count(), 1, "counted once");
    }
}
on_both!(concurrent_approvals_and_a_receive_racing_a_move_have_one_winner);
