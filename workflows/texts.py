"""Every user-facing text, Korean first, English second. Nothing user-facing lives elsewhere.

Use `t(lang, key, **values)`. A missing English text falls back to Korean; a missing key is a
programming error and raises KeyError (a test checks every key used in the code exists).
"""
from __future__ import annotations

import html
import re
import string
from collections.abc import Iterable

PRIVACY_VERSION = "2026-11-21"

TEXTS: dict[str, tuple[str, str]] = {
    # --- common -------------------------------------------------------------------------
    "start.greeting": (
        "안녕하세요, {district} 민원 도우미입니다. 이 대화창에서 할 수 있는 일:\n"
        "📝 민원 신청 · 📋 처리 상황 확인\n👶 출생 원스톱 · 🕊 사망 원스톱\n🧾 등록면허세 납부 · 🏡 전입주민 생활정보\n"
        "🗣 소통 Day 의견 · 🍽 식중독 예방 알림 (음식점 영업자)\n🔒 개인정보 · 🌐 언어 (한국어/English)\n"
        "아래 버튼을 누르시거나 하고 싶은 일을 문장으로 적어 보내 주세요.",
        "Hello, this is the {district} civil-service assistant. Here you can:\n"
        "📝 file a complaint · 📋 follow it\n👶 birth one-stop · 🕊 death one-stop\n🧾 pay the registration license tax · 🏡 get new-resident information\n"
        "🗣 give your opinion on Opinion Day · 🍽 get food-poisoning alerts (restaurant operators)\n🔒 privacy · 🌐 language (한국어/English)\n"
        "Press a button below, or just write what you need."),
    "privacy.notice": (
        "<b>개인정보 수집·이용 동의 (개인정보 보호법 제15조)</b>\n"
        "• 목적: 민원 접수·처리, 처리 결과 통지, 만족도 조사\n"
        "• 항목: 텔레그램 사용자 번호, 민원 내용·사진·위치, (선택) 연락처\n"
        "• 보유 기간: 민원 종결 후 {retention} (연락처는 종결 후 {contact_retention:이/가} 지나면 즉시 파기)\n"
        "• 동의를 거부할 권리가 있으며, 거부하면 이 대화창에서 민원을 신청할 수 없습니다. 도움말(/help) 열람과 전화·방문 민원은 그대로 가능합니다.\n"
        "주민등록번호는 묻지 않으며, 입력하셔도 저장하지 않습니다. 안내 버전: {version}",
        "<b>Consent to collect and use personal data (Personal Information Protection Act art. 15)</b>\n"
        "• Purpose: receiving and handling complaints, notifying results, satisfaction surveys\n"
        "• Items: your Telegram user number, complaint text, photos and location, (optional) a contact phone\n"
        "• Retention: {retention} after the complaint is closed (contact numbers destroyed {contact_retention} after closing)\n"
        "• You may refuse; you then cannot file in this chat, but /help and phone or counter service remain available.\n"
        "We never ask for a resident registration number and do not store one. Notice version: {version}"),
    "privacy.agree": ("✅ 동의합니다", "✅ I agree"),
    "privacy.refuse": ("동의하지 않음", "I do not agree"),
    "privacy.agreed": ("동의가 기록되었습니다 ({at}). 이제 /complaint 로 민원을 신청할 수 있습니다.",
                       "Your consent was recorded ({at}). You can now file with /complaint."),
    # handlers/privacy.after_consent: what they asked for before consenting goes on
    "privacy.agreed_go_on": ("동의가 기록되었습니다 ({at}). 하시던 민원 신청을 이어서 진행합니다.",
                             "Your consent was recorded ({at}). Let us carry on with your complaint."),
    "privacy.refused": ("동의하지 않으셨습니다. 민원 신청은 전화({phone})나 구청 방문으로 가능합니다. 언제든 /privacy 에서 다시 동의할 수 있습니다.",
                        "You did not consent. You can file by phone ({phone}) or at the district office. You can consent later with /privacy."),
    "privacy.status_on": ("현재 상태: {at}에 동의함 (버전 {version}).", "Status: consented on {at} (version {version})."),
    "privacy.status_off": ("현재 상태: 동의하지 않음.", "Status: no consent given."),
    "privacy.withdraw": ("동의 철회", "Withdraw consent"),
    "privacy.withdrawn": ("동의를 철회했습니다. 새 민원은 신청할 수 없으며, 진행 중인 민원은 법정 보존 기간에 따라 처리됩니다.",
                          "Consent withdrawn. You cannot file new complaints; open ones are kept as the law requires."),
    # /privacy: see and delete my data (workflows/privacy.py, handlers/privacy.py)
    "privacy.btn.show": ("📄 내 정보 보기", "📄 See my data"),
    "privacy.btn.delete": ("🗑 내 정보 삭제", "🗑 Delete my data"),
    "privacy.btn.erase": ("🗑 네, 모두 삭제합니다", "🗑 Yes, delete it all"),
    "privacy.btn.keep": ("아니요, 그대로 둡니다", "No, keep it"),
    "privacy.held": (
        "<b>내 정보</b> (구청이 이 대화창으로 받아 보관 중인 개인정보)\n"
        "• 처음 이용: {since}\n"
        "• 민원: {complaints}건 (처리 중 {complaints_open}건) · 사진 {photos}장 · 위치 {locations}건\n"
        "• 연락처: {phones}\n"
        "• 출생·사망 원스톱: {onestop}건 (진행 중 {onestop_open}건)\n"
        "• 등록면허세: {tax}건 (납부 전 {tax_unpaid}건, 납부 기록 {tax_paid}건) · 납세자 이름: {taxpayer}\n"
        "• 소통 Day: {opinion} · 의견 {opinions}건 · 투표 {votes}건\n"
        "• 전입주민 생활정보: {new_resident}\n"
        "• 식중독 예방 알림: {food}\n"
        "• 작성 중인 입력 {forms}건 · 보낼 예정인 메시지 {queued}건\n\n"
        "<b>동의 내역</b>\n{consents}\n\n"
        "보유 기간: 민원 종결 후 {retention} (연락처 {contact_retention}), 대화창 메시지 사본 {outbox_retention}, "
        "작성하다 그만둔 입력 {form_retention}. 삭제하려면 [내 정보 삭제]를 누르세요.",
        "<b>Your data</b> (the personal data the district holds from this chat)\n"
        "• First contact: {since}\n"
        "• Complaints: {complaints} ({complaints_open} being handled) · photos {photos} · places {locations}\n"
        "• Contact phone: {phones}\n"
        "• Birth/death one-stop: {onestop} ({onestop_open} in progress)\n"
        "• Licence tax: {tax} ({tax_unpaid} unpaid, {tax_paid} payment records) · taxpayer name: {taxpayer}\n"
        "• Opinion Day: {opinion} · opinions {opinions} · votes {votes}\n"
        "• New-resident information: {new_resident}\n"
        "• Food-poisoning alerts: {food}\n"
        "• Forms being filled in {forms} · messages waiting to be sent {queued}\n\n"
        "<b>Consents</b>\n{consents}\n\n"
        "Kept: {retention} after a complaint is closed (contact {contact_retention}), copies of chat messages "
        "{outbox_retention}, unfinished forms {form_retention}. To delete, press [Delete my data]."),
    "privacy.held.none": ("없음", "none"),
    "privacy.listed_below": ("아래에 이어서 보냅니다", "listed in the messages below"),
    "privacy.list.phones": ("<b>연락처</b>", "<b>Contact phones</b>"),
    "privacy.list.consents": ("<b>동의 내역</b>", "<b>Consents</b>"),
    "privacy.list.withdrawn": ("<b>취하한 민원·신청</b>", "<b>Withdrawn</b>"),
    "privacy.list.kept": ("<b>법령에 따라 보관하는 납부 기록</b>", "<b>Payment records kept as the law requires</b>"),
    "privacy.held.stored": ("저장됨 (암호화)", "stored (encrypted)"),
    "privacy.held.registered": ("등록됨", "registered"),
    "privacy.held.subscribed": ("구독 중{dong}", "subscribed{dong}"),
    "privacy.held.not_subscribed": ("구독 안 함{dong}", "not subscribed{dong}"),
    "privacy.held.dong": (" ({dong})", " ({dong})"),
    "privacy.held.new_resident": ("{dong}, 전입일 {date}", "{dong}, moved in {date}"),
    "privacy.held.consent": ("• {purpose} (안내 버전 {version}): {granted} 동의{withdrawn}",
                             "• {purpose} (notice version {version}): given {granted}{withdrawn}"),
    "privacy.held.consent_withdrawn": (", {at} 철회", ", withdrawn {at}"),
    # a one-stop application's consents (workflows/privacy.onestop_consent_lines)
    "privacy.held.onestop_collection": ("• {kind} {receipt} — 개인정보 수집·이용 (개인정보 보호법 제15조, 안내 버전 {version}): {at} 동의",
                                        "• {kind} {receipt} — collection and use (PIPA art. 15, notice version {version}): given {at}"),
    "privacy.held.onestop_provision": ("   ↳ {recipient}에 제공 (제17조) — 목적: {purpose} — {at} {answer}",
                                       "   ↳ provision to {recipient} (art. 17) — purpose: {purpose} — {answer} {at}"),
    "privacy.held.provision_yes": ("동의", "agreed"),
    "privacy.held.provision_no": ("동의하지 않음 (제공하지 않음)", "refused (nothing passed on)"),
    "privacy.held.no_consents": ("• 없음", "• none"),
    "privacy.purpose.complaint": ("민원 접수·처리", "complaints"),
    "privacy.purpose.opinion": ("소통 Day", "Opinion Day"),
    "privacy.purpose.food_alert": ("식중독 예방 알림", "food-poisoning alerts"),
    "privacy.purpose.new_resident_info": ("전입주민 생활정보", "new-resident information"),
    "privacy.purpose.license_tax": ("등록면허세 원스톱", "licence tax one-stop"),
    "privacy.delete.ask": (
        "<b>내 정보를 모두 삭제할까요?</b> 되돌릴 수 없습니다.\n"
        "{open}"
        "• 민원 내용·사진·위치·연락처·답변, 원스톱 신청 내용, 소통 Day 의견·투표, 전입주민 생활정보와 식중독 알림 등록, "
        "작성 중인 입력, 보낼 예정인 메시지가 삭제됩니다.\n"
        "• 처리 기록(접수번호·부서·일시·만족도 점수)은 누구의 것인지 알 수 없게 통계로만 남습니다.\n"
        "• 모든 동의가 철회됩니다. 동의하고 철회한 기록(일시·안내 버전)은 증빙으로 남습니다.\n"
        "• 납부한 등록면허세 기록은 지방세 관계 법령에 따라 {tax_retention} 보관됩니다 (납세자 이름은 삭제).\n"
        "이 확인 버튼은 {minutes}분 동안 유효합니다.",
        "<b>Delete all your data?</b> This cannot be undone.\n"
        "{open}"
        "• Complaint texts, photos, places, phones and answers, one-stop answers, Opinion Day opinions and votes, "
        "new-resident and food-alert registrations, forms being filled in and messages waiting to be sent are deleted.\n"
        "• The case records (receipt numbers, departments, times, rating scores) stay only as statistics that name nobody.\n"
        "• Every consent is withdrawn. The record of when you gave and withdrew it (time, notice version) is kept as proof.\n"
        "• Paid licence-tax records are kept {tax_retention} as the local tax laws require (without the taxpayer's name).\n"
        "This button works for {minutes} minutes."),
    "privacy.delete.open": (
        "• <b>처리 중인 민원·신청 {n}건({cases})은 취하되어 더 처리되지 않습니다</b> (환급 신청 포함). 담당 부서에 취하 사실을 알립니다.\n",
        "• <b>{n} case(s) still being handled ({cases}) are withdrawn and will not be processed further</b> (refund requests included). "
        "The departments are told.\n"),
    "privacy.delete.no_open": ("• 처리 중인 민원·신청은 없습니다.\n", "• Nothing of yours is being handled right now.\n"),
    "privacy.deleted": (
        "<b>내 정보를 삭제했습니다.</b>\n"
        "• 취하한 민원·신청: {withdrawn}\n"
        "• 익명 처리: 민원 {complaints}건, 원스톱 {onestop}건, 등록면허세 {tax}건\n"
        "• 법령에 따라 보관하는 납부 기록: {kept}\n"
        "• 철회한 동의 {consents}건 · 해지한 알림: {subscriptions} · 취소·삭제한 메시지 {messages}건\n"
        "다시 이용하시려면 /start 에서 동의해 주세요. 이 대화창에 남은 메시지는 텔레그램에서 직접 지우실 수 있습니다.",
        "<b>Your data has been deleted.</b>\n"
        "• Withdrawn: {withdrawn}\n"
        "• Anonymised: complaints {complaints}, one-stop {onestop}, licence tax {tax}\n"
        "• Payment records kept as the law requires: {kept}\n"
        "• Consents withdrawn {consents} · alerts stopped: {subscriptions} · messages cancelled or deleted {messages}\n"
        "To use the service again, consent with /start. Messages left in this chat can be deleted in Telegram."),
    "privacy.subscription.opinion": ("소통 Day", "Opinion Day"),
    "privacy.subscription.new_resident": ("전입주민 생활정보", "new-resident information"),
    "privacy.subscription.food_alert": ("식중독 알림", "food-poisoning alerts"),
    "privacy.delete.nothing": ("삭제할 정보가 없습니다. 이미 삭제되었습니다.", "There is nothing left to delete; it has already been deleted."),
    "privacy.delete.kept": ("삭제하지 않았습니다. 내 정보는 그대로입니다.", "Nothing was deleted."),
    "privacy.delete.stale": ("이 확인 버튼은 만료되었습니다. /privacy 에서 다시 시작해 주세요.",
                             "This confirmation has expired. Please start again with /privacy."),
    "privacy.need_consent": ("민원을 신청하려면 먼저 개인정보 수집·이용에 동의해 주세요.",
                             "Please consent to the privacy notice before filing."),
    "help": (
        "<b>도움말</b>\n/complaint 민원 신청\n/status 내 민원 처리 상황\n/birth 출생 원스톱 (출생 관련 지원 한 번에 신청)\n/death 사망 원스톱 (관계 기관 통보·기한 안내)\n/opinion 소통 Day (매월 셋째 목요일 구정 의견)\n/moving 전입주민 생활정보·월간 소식지\n/licensetax 등록면허세 원스톱 (방문 없이 납부)\n/foodalert 식중독 예방 알림 (음식점 영업자)\n/ranking 부서별 친절도 순위\n/menu 메뉴\n/language 언어 변경 (한국어/English)\n"
        "/privacy 개인정보 안내·동의 관리\n/cancel 진행 중인 입력 취소\n\n"
        "하고 싶은 일을 문장으로 적어 보내셔도 됩니다: 맞는 서비스를 알려 드리거나 민원으로 접수해 드립니다.",
        "<b>Help</b>\n/complaint file a complaint\n/status your complaints\n/birth birth one-stop (apply for birth support at once)\n/death death one-stop (tell the agencies, deadlines)\n/opinion Opinion Day (district policy, third Thursday)\n/moving information for new residents, monthly newsletter\n/licensetax registration license tax, paid without a visit\n/foodalert food-poisoning alerts (restaurant operators)\n/ranking departments ranked by residents\n/menu menu\n/language change language\n"
        "/privacy privacy notice and consent\n/cancel cancel what you are filling in\n\n"
        "You can also just write what you need: we point you to the right service or offer to file it as a complaint."),
    "help.officer": ("\n\n<b>담당자</b>\n/inbox 부서 처리함 (기한순)\n/find 접수번호 — 민원 열기\n/onestop 원스톱 세부 신청 처리함\n/templates 부서 답변 템플릿\n/settings 새 민원 알림 (카드 / 아침 요약)",
                     "\n\n<b>Officers</b>\n/inbox department inbox (by deadline)\n/find receipt no — open a complaint\n/onestop one-stop sub-requests\n/templates the department's answer templates\n/settings new-complaint notices (cards / morning digest)"),
    "help.evaluator": ("\n\n<b>평가단</b>\n/report [기간] 지표 보고서 (요약·차트·엑셀), 기본은 지난달",
                       "\n\n<b>Evaluation team</b>\n/report [period] indicator report (summary, chart, spreadsheet), last month by default"),
    "help.admin": ("\n\n<b>관리자</b>\n/grant 사용자ID 역할 [부서코드]\n/revoke 사용자ID 역할\n/invite 역할 [부서코드]\n/departments 부서 목록\n/newsletter 월간 소식지 작성 (.txt/.md 파일로도)\n/audit [일수] 감사 로그 내보내기 (엑셀, 기본 30일)\n/broadcast 공지 보내기 (직원·부서·주민, 미리보기와 전달 결과)",
                   "\n\n<b>Admins</b>\n/grant user_id role [dept_code]\n/revoke user_id role\n/invite role [dept_code]\n/departments list departments\n/newsletter monthly newsletter (also from a .txt/.md file)\n/audit [days] export the audit log (spreadsheet, 30 days by default)\n/broadcast send a notice (staff, a department, residents; preview and delivery report)"),
    "menu.title": ("무엇을 도와드릴까요?", "How can we help?"),
    "menu.complaint": ("📝 민원 신청", "📝 File a complaint"),
    "menu.status": ("📋 내 민원·신청 현황", "📋 My complaints and applications"),
    "menu.birth": ("👶 출생 원스톱", "👶 Birth one-stop"),
    "menu.death": ("🕊 사망 원스톱", "🕊 Death one-stop"),
    "menu.licensetax": ("🧾 등록면허세", "🧾 Registration license tax"),
    "menu.moving": ("🏡 전입주민 생활정보", "🏡 New residents"),
    "menu.opinion": ("🗣 소통 Day", "🗣 Opinion Day"),
    "menu.foodalert": ("🍽 식중독 알림 (음식점)", "🍽 Food alerts (restaurants)"),
    "menu.privacy": ("🔒 개인정보", "🔒 Privacy"),
    "menu.language": ("🌐 언어 · Language", "🌐 Language · 언어"),
    "menu.private_only": ("봇과의 1:1 대화에서 눌러 주세요.", "Please use this in a private chat with the bot."),
    # handlers/fallback.py: free text about a service points to it (workflows/data/services.json),
    # with the complaint offer kept below; a greeting is greeted with the menu
    "hint.service": ("{what}: {command} 로 시작합니다. 아래 버튼을 눌러도 됩니다.",
                     "{what}: start it with {command}, or press the button below."),
    "hint.service.foodalert": ("🍽 음식점 영업자의 식중독 예방 알림은 /foodalert 로 등록합니다. "
                               "식중독을 신고하시려는 거라면 아래에서 민원으로 접수해 주세요.",
                               "🍽 Restaurant operators register for food-poisoning alerts with /foodalert. "
                               "To report a case of food poisoning, file it as a complaint below."),
    "hint.what.birth": ("👶 출생신고와 출생 관련 지원(부모급여·아동수당·첫만남이용권 등)은 출생 원스톱에서 한 번에 신청합니다",
                        "👶 Birth registration and the birth support (parental allowance, child allowance, first-meeting voucher ...) are applied for at once in the birth one-stop"),
    "hint.what.death": ("🕊 사망 후 관계 기관 통보와 상속·세금 기한 안내는 사망 원스톱에서 합니다",
                        "🕊 After a death, the death one-stop tells the agencies and lists the inheritance and tax deadlines"),
    "hint.what.licensetax": ("🧾 등록면허세는 방문 없이 등록면허세 원스톱에서 납부합니다",
                             "🧾 The registration license tax is paid without a visit in the license tax one-stop"),
    "hint.what.moving": ("🏡 전입하셨다면 동네 생활정보(쓰레기 배출, 주차, 도서관, 어린이집 …)와 월간 소식지를 받으실 수 있습니다",
                         "🏡 If you have moved in, you can get your neighbourhood's information (waste days, parking, libraries, childcare ...) and the monthly newsletter"),
    "hint.what.opinion": ("🗣 구정 의견은 매월 셋째 목요일 소통 Day에 나눕니다", "🗣 District policy is discussed on Opinion Day, the third Thursday of each month"),
    "hint.greeting": ("안녕하세요! 무엇을 도와드릴까요? 아래에서 고르시거나 하고 싶은 일을 적어 주세요.",
                      "Hello! How can we help? Choose below, or write what you need."),
    "menu.inbox": ("📥 부서 처리함", "📥 Department inbox"),
    "menu.help": ("❓ 도움말", "❓ Help"),
    "cancel.nothing": ("진행 중인 입력이 없습니다.", "There is nothing to cancel."),
    "cancel.done": ("취소했습니다. 입력하신 {what} 내용은 저장하지 않고 삭제했습니다.",
                    "Cancelled. What you entered for the {what} was discarded, not saved."),
    "cancel.what.complaint": ("민원", "complaint"),
    "cancel.what.answer": ("답변", "answer"),
    "cancel.what.other": ("양식", "form"),
    "language.choose": ("언어를 선택하세요.", "Choose a language."),
    "language.set": ("한국어로 안내합니다.", "I will reply in English."),
    "unknown_command": ("알 수 없는 명령입니다. /help 에서 쓸 수 있는 명령을 확인하세요.",
                        "Unknown command. See /help for what you can use."),
    "fallback.other": ("글로 적어 보내 주시면 민원으로 접수해 드릴 수 있습니다. /menu 에서 할 수 있는 일을 보세요.",
                       "Send us text and we can file it as a complaint. See /menu for what you can do."),
    "stale_button": ("이 버튼은 더 이상 유효하지 않습니다. 최신 메시지의 버튼을 사용해 주세요.",
                     "This button is no longer valid. Please use the latest message."),
    "not_allowed": ("이 기능을 사용할 권한이 없습니다.", "You are not allowed to use this."),
    "flood": ("잠시만요, 메시지가 너무 빨리 들어오고 있습니다. 몇 초 후 다시 보내 주세요.",
              "Please slow down a little and try again in a few seconds."),
    # the database (or the FSM store) cannot be reached: nothing of this update was kept (bot/middlewares.py)
    "error.store_unavailable": ("일시적인 장애로 방금 보내신 내용을 처리하지 못했습니다. 잠시 후 다시 시도해 주세요. "
                                "그전에 입력하신 내용은 그대로 있습니다.",
                                "A temporary fault kept us from handling what you just sent. Please try again "
                                "shortly; what you entered before is kept."),
    # anything else an update raised (bot/errors.py): the button's answer, then the chat message with a way on
    "error.generic_short": ("죄송합니다. 처리하지 못했습니다.", "Sorry, that did not work."),
    "error.generic": ("죄송합니다. 방금 보내신 내용을 처리하는 중에 문제가 생겼습니다. 그전에 입력하신 내용은 그대로 있습니다. "
                      "잠시 후 다시 시도하시거나 /menu 에서 다시 시작해 주세요.",
                      "Sorry, something went wrong with what you just sent; what you entered before is kept. "
                      "Please try again shortly, or start over from /menu."),
    # an outbox row Telegram refused twice (workflows/undelivered.py): to the admins or the department's group
    "undelivered.notice": ("⚠️ Telegram이 메시지 한 건을 받지 않았습니다.\n• 받는 사람: {to}\n• 메시지: outbox {id} ({kind}, {method})\n"
                           "• Telegram 응답: {error}\n필요하면 받는 분께 다른 방법으로 알려 주세요.",
                           "⚠️ Telegram refused a message.\n• To: {to}\n• Message: outbox {id} ({kind}, {method})\n"
                           "• Telegram said: {error}\nIf it matters, reach them another way."),
    "undelivered.retried": ("서식을 뺀 글로 다시 보냈지만 그것도 거절되었습니다.", "It was sent again as plain text and refused again."),
    "undelivered.to.resident": ("주민", "a resident"),
    "undelivered.to.officer": ("{dept} 담당자", "an officer of {dept}"),
    "undelivered.to.group": ("{dept} 단체방", "the group chat of {dept}"),
    "undelivered.to.chat": ("단체방", "a group chat"),
    "btn.skip": ("건너뛰기", "Skip"),
    "btn.cancel": ("취소", "Cancel"),
    "btn.back": ("뒤로", "Back"),
    "btn.done": ("완료", "Done"),
    # the complaint form's photo step: each button says what it does (handlers/keyboards.photos)
    "btn.skip_photos": ("건너뛰기 (사진 없이 계속)", "Skip (continue without photos)"),
    "btn.done_photos": ("✅ 완료 (사진 {n}장 첨부)", "✅ Done ({n} photo(s) attached)"),
    "btn.clear_photos": ("🗑 사진 모두 빼기", "🗑 Remove all photos"),
    # --- complaint form -----------------------------------------------------------------
    "cf.ask_category": ("민원 분야를 골라 주세요. (언제든 /cancel 로 취소)", "Choose what it is about. (/cancel at any time)"),
    "cf.ask_description": (
        "<b>{category}</b>\n무엇이 문제인지 적어 주세요 (10~2,000자). 장소와 시간을 함께 적어 주시면 빨리 처리됩니다.",
        "<b>{category}</b>\nDescribe the problem (10–2,000 characters). Place and time help us act faster."),
    "cf.too_short": ("조금 더 자세히 적어 주세요. 최소 10자가 필요합니다 (지금 {n}자).",
                     "Please add a little more detail: at least 10 characters (now {n})."),
    "cf.too_long": ("2,000자까지 접수할 수 있습니다 (지금 {n}자). 줄여서 다시 보내 주세요.",
                    "Up to 2,000 characters please (now {n}). Shorten it and send again."),
    "cf.text_expected": ("글로 적어서 보내 주세요. 사진은 다음 단계에서 받습니다.",
                         "Please send text here; photos come in the next step."),
    "cf.rrn_refused": ("주민등록번호로 보이는 숫자가 있어 접수하지 않았습니다. 주민등록번호는 적지 말고 다시 보내 주세요.",
                       "That looks like a resident registration number, which we must not store. Please send it again without it."),
    # bot/rrn_guard.py: any message (text or caption, any step, residents and officers) holding one
    "rrn.refused": ("주민등록번호로 보이는 숫자가 있어 이 메시지는 받지 않았습니다 (저장하거나 전달하지 않았습니다). "
                    "이 대화창에서는 주민등록번호를 받지 않습니다. 번호를 빼고 다시 보내 주세요. 작성 중이던 내용은 그대로 있습니다.",
                    "That message seems to hold a resident registration number, so it was not taken (nothing was stored "
                    "or passed on): this chat never takes one. Please send it again without the number; what you had "
                    "filled in so far is kept."),
    # bot/rrn_guard.py: an edit of an earlier message holding one (what was received before stays)
    "rrn.refused_edit": ("고치신 메시지에 주민등록번호로 보이는 숫자가 있어 받지 않았습니다 (저장하거나 전달하지 않았습니다). "
                         "이미 받은 내용은 처음 보내신 그대로입니다. 이 대화창에서는 주민등록번호를 받지 않습니다.",
                         "Your edited message seems to hold a resident registration number, so it was not taken (nothing "
                         "was stored or passed on). What we received before stays as you first sent it; this chat never takes one."),
    # handlers/edits.py: an edited message (Telegram's "edit") is never applied to what was received
    "edit.not_applied": ("✏️ 고치신 메시지는 반영되지 않습니다. 이미 받은 내용은 처음 보내신 그대로입니다. "
                         "바꾸거나 덧붙일 내용은 새 메시지로 보내 주세요.",
                         "✏️ Edited messages are not applied: what we received stays as you first sent it. "
                         "Please send what you want to change or add as a new message."),
    "edit.not_applied_form": ("✏️ 고치신 메시지는 반영되지 않습니다. 이미 받은 답은 처음 보내신 그대로입니다. {how} "
                              "지금 단계에는 새로 답해 주세요.",
                              "✏️ Edited messages are not applied: the answers we received stay as you first sent them. {how} "
                              "Please answer the current step anew."),
    "edit.how.complaint": ("앞에서 답한 내용은 마지막 확인 화면의 [수정]으로 고칠 수 있습니다.",
                           "You can change an earlier answer with [Edit] on the final summary."),
    "edit.how.restart": ("앞에서 답한 내용을 바꾸려면 /cancel 후 처음부터 다시 해 주세요.",
                         "To change an earlier answer, send /cancel and start again."),
    "cf.ask_photos": ("사진이 있으면 보내 주세요 (최대 5장). 없으면 [건너뛰기].",
                      "Send photos if you have any (up to 5), or [Skip]."),
    "cf.ask_photos_more": ("지금 사진 {n}장이 첨부되어 있습니다. 더 보내거나 (최대 5장) [완료]를 눌러 주세요.",
                           "{n} photo(s) attached so far. Send more (up to 5) or press [Done]."),
    "cf.photo_added": ("사진 {n}/5장 받았습니다. 더 보내거나 [완료]를 눌러 주세요.",
                       "Photo {n}/5 received. Send more or press [Done]."),
    "cf.photo_limit": ("사진은 5장까지입니다. [완료]를 눌러 다음으로 넘어가세요.", "Up to 5 photos. Press [Done] to continue."),
    "cf.photo_expected": ("사진을 보내거나 아래 버튼을 눌러 주세요.", "Send a photo, or use the button below."),
    "cf.photos_kept": ("받은 사진 {n}장은 그대로 첨부합니다.", "The {n} photo(s) you sent stay attached."),
    "cf.photos_cleared": ("사진을 모두 뺐습니다.", "All photos were removed."),
    # a photo with a caption: at the photo step the caption is added to the text
    "cf.caption_added": ("사진 설명은 민원 내용 끝에 덧붙였습니다.", "The photo's caption was added to the end of your text."),
    "cf.caption_too_long": ("사진 설명은 덧붙이지 못했습니다: 내용이 2,000자를 넘게 됩니다. 요약에서 [수정] → [내용]으로 고칠 수 있습니다.",
                            "The photo's caption was not added: the text would pass 2,000 characters. You can change "
                            "the text from the summary: [Edit] → [Text]."),
    # a photo at the text step: kept, and its caption (if any) is the text
    "cf.photo_kept": ("사진 {n}장을 받아 두었습니다.", "{n} photo(s) kept."),
    "cf.photo_not_added": ("사진은 5장까지라 이 사진은 더하지 않았습니다.", "Up to 5 photos: this one was not added."),
    # a photo sent at the place or phone step (handlers/complaint.photo_at_location, photo_at_phone)
    "cf.photo_added_here": ("사진을 첨부했습니다 (사진 {n}/5장).", "Photo attached ({n}/5)."),
    "cf.caption_as_address": ("사진 설명을 주소로 받았습니다: {address}", "The photo's caption was taken as the address: {address}"),
    "cf.caption_not_address": ("사진 설명은 주소로 받지 않았습니다 (2~300자).",
                               "The photo's caption was not taken as the address (2–300 characters)."),
    "cf.location_still": ("위치를 공유하거나 주소를 적어 주세요. 없으면 [건너뛰기].",
                          "Share a location or type an address, or [Skip]."),
    "cf.caption_as_phone": ("사진 설명의 전화번호를 연락처로 받았습니다: {phone}",
                            "The phone number in the photo's caption was taken as your contact: {phone}"),
    "cf.caption_not_phone": ("사진 설명은 전화번호 형식이 아니라 연락처로 받지 않았습니다.",
                             "The photo's caption is not a phone number, so it was not taken as your contact."),
    "cf.phone_still": ("연락처를 남기시려면 전화번호를 적어 주세요 (예: 010-1234-5678). 원하지 않으면 [건너뛰기].",
                       "To leave a phone number, type it (e.g. 010-1234-5678), or [Skip]."),
    "cf.text_after_photo": ("이제 무엇이 문제인지 글로 적어서 보내 주세요 (10~2,000자).",
                            "Now please send text describing the problem (10–2,000 characters)."),
    "cf.ask_location": ("위치를 알려 주세요: 📎 → 위치로 보내거나 주소를 적어 주세요. 없으면 [건너뛰기].",
                        "Where is it? Share a location (📎 → Location) or type an address, or [Skip]."),
    "cf.location_bad": ("주소는 2~300자로 적거나 위치를 공유해 주세요.", "Type an address (2–300 characters) or share a location."),
    "cf.location_ok": ("위치를 받았습니다.", "Location received."),
    "cf.ask_phone": ("담당자가 전화로 확인할 수 있도록 연락처를 남기시겠어요? (선택, 암호화하여 보관)\n예: 010-1234-5678",
                     "Leave a phone number so the officer can call you? (optional, stored encrypted)\ne.g. 010-1234-5678"),
    "cf.phone_bad": ("전화번호 형식이 아닙니다. 예: 010-1234-5678 또는 02-123-4567. 원하지 않으면 [건너뛰기].",
                     "That is not a Korean phone number. e.g. 010-1234-5678 or 02-123-4567, or [Skip]."),
    "cf.summary": ("<b>신청 내용 확인</b>\n분야: {category}\n담당: {department}\n처리 기한: {deadline}\n내용: {description}\n사진: {photos}장\n위치: {location}\n연락처: {phone}\n\n이대로 제출할까요?",
                   "<b>Please check</b>\nTopic: {category}\nDepartment: {department}\nDeadline: {deadline}\nText: {description}\nPhotos: {photos}\nPlace: {location}\nPhone: {phone}\n\nSubmit this?"),
    "cf.none": ("없음", "none"),
    # the summary, when the text or the typed address holds a phone number (workflows/complaints.staff_text)
    "cf.summary_phone_note": ("\n\nℹ️ 내용이나 위치에 적으신 전화번호는 담당 공무원에게 010-****-5678처럼 가려서 보입니다. "
                              "전화로 연락을 받으시려면 [수정] → 연락처에 남겨 주세요.",
                              "\n\nℹ️ Officers see a phone number written in the text or the place masked, like 010-****-5678. "
                              "To be called back, add it under [Edit] → Phone."),
    "cf.submit": ("✅ 제출", "✅ Submit"),
    "cf.edit": ("✏️ 수정", "✏️ Edit"),
    "cf.cancel": ("✖️ 취소", "✖️ Cancel"),
    "cf.edit_which": ("무엇을 고칠까요?", "What do you want to change?"),
    "cf.edit.category": ("분야", "Topic"),
    "cf.edit.description": ("내용", "Text"),
    "cf.edit.photos": ("사진", "Photos"),
    "cf.edit.location": ("위치", "Place"),
    "cf.edit.phone": ("연락처", "Phone"),
    "cf.use_buttons": ("위 메시지의 버튼을 눌러 주세요. /cancel 로 그만둘 수 있습니다.", "Please use the buttons above, or /cancel."),
    "cf.submitted": ("<b>민원이 접수되었습니다.</b>\n접수번호: <code>{receipt}</code>\n담당 부서: {department}\n처리 기한: {deadline}\n처리 상황은 /status 에서 볼 수 있고, 바뀔 때마다 알려 드립니다.",
                     "<b>Your complaint was received.</b>\nReceipt no: <code>{receipt}</code>\nDepartment: {department}\nDeadline: {deadline}\nFollow it with /status; we will tell you of every change."),
    "cf.already_submitted": ("이미 제출된 민원입니다 (접수번호 {receipt}).", "Already submitted (receipt no {receipt})."),
    "cf.offer_free_text": ("이 내용을 민원으로 신청할까요?\n추천 분야: <b>{category}</b>", "File this as a complaint?\nSuggested topic: <b>{category}</b>"),
    "cf.offer_free_text_nocat": ("이 내용을 민원으로 신청할까요?", "File this as a complaint?"),
    "cf.offer_photo": ("이 사진으로 민원을 신청할까요? 분야를 고르시면 내용을 여쭙겠습니다.",
                       "File a complaint with this photo? Choose a topic and we will ask what it is about."),
    "cf.offer_photos": ("\n(사진 {n}장 첨부)", "\n({n} photo(s) attached)"),
    "cf.officer_file_hint": ("ℹ️ 민원 답변에 사진이나 문서를 붙이려면: 민원을 열고(/inbox, /find 접수번호) [답변]을 누르고, 답변 글을 보낸 뒤 미리보기에서 파일을 보내세요.",
                             "ℹ️ To attach a photo or document to an answer: open the complaint (/inbox, /find receipt no), press [Answer], send the text, then send the files at the preview."),
    "cf.officer_photo_hint": ("\n주민으로서 이 사진으로 새 민원을 신청하시려는 거라면 아래에서 이어 가세요.",
                              "\nIf you mean to file a complaint of your own with this photo, go on below."),
    "cf.offer_yes": ("📝 {category:으로/로} 신청", "📝 File as {category}"),
    "cf.offer_other": ("다른 분야 고르기", "Choose another topic"),
    "cf.offer_no": ("아니요", "No"),
    "cf.offer_dismissed": ("알겠습니다. 필요하시면 /menu 를 눌러 주세요.", "OK. Press /menu whenever you need us."),
    # --- status -------------------------------------------------------------------------
    "status.none": ("신청하신 민원이 없습니다. /complaint 로 신청할 수 있습니다.", "You have no complaints yet. File one with /complaint."),
    "status.title": ("<b>내 민원</b> (최근 {n}건, 눌러서 자세히 보기)", "<b>Your complaints</b> (latest {n}, tap for details)"),
    "status.line": ("{receipt} · {state} · {department} · 기한 {deadline}", "{receipt} · {state} · {department} · due {deadline}"),
    "status.detail": ("<b>{receipt}</b> {category}\n상태: {state}\n담당: {department}\n접수: {received}\n기한: {deadline}\n내용: {description}",
                      "<b>{receipt}</b> {category}\nState: {state}\nDepartment: {department}\nReceived: {received}\nDeadline: {deadline}\nText: {description}"),
    "status.answer": ("\n\n<b>답변</b> ({at})\n{answer}", "\n\n<b>Answer</b> ({at})\n{answer}"),
    "status.history": ("\n\n<b>처리 이력</b>", "\n\n<b>History</b>"),
    "status.event": ("{at} {action}{note}", "{at} {action}{note}"),
    "status.not_found": ("해당 민원을 찾을 수 없습니다.", "No such complaint."),
    "status.answer_files": ("📎 {receipt} 답변에 첨부 {n}개가 있습니다.", "📎 The answer to {receipt} came with {n} attachment(s)."),
    "status.btn.answer_files": ("📎 첨부 다시 받기", "📎 Get the attachments again"),
    "status.answer_files_gone": ("이 민원의 답변 첨부는 더 이상 없습니다.", "This complaint's answer has no attachments any more."),
    "state.received": ("접수", "received"),
    "state.assigned": ("담당자 배정", "assigned"),
    "state.in_progress": ("처리 중", "in progress"),
    "state.answered": ("답변 완료", "answered"),
    "state.closed": ("종결", "closed"),
    "state.transferred": ("이송됨", "transferred"),
    "state.rejected": ("반려", "rejected"),
    "state.reopened": ("재처리 요청", "reopened"),
    "state.extended": ("기한 연장", "deadline extended"),
    "state.withdrawn": ("취하", "withdrawn"),
    "action.submit": ("접수", "received"),
    "action.take": ("담당자 배정", "officer assigned"),
    "action.start": ("처리 시작", "work started"),
    "action.answer": ("답변", "answered"),
    "action.transfer": ("이송", "transferred"),
    "action.reject": ("반려", "rejected"),
    "action.extend": ("기한 연장", "deadline extended"),
    "action.reopen": ("재처리 요청", "reopened"),
    "action.withdraw": ("민원인 취하", "withdrawn by the resident"),
    "action.close": ("종결", "closed"),
    "action.handover": ("첫 창구 인계", "handed to the first-contact desk"),
    "action.return": ("반송", "returned"),
    "action.to_desk": ("첫 창구 조정 요청", "sent to the first-contact desk to decide"),
    "action.assign": ("담당자 배정", "officer assigned"),
    "action.takeover": ("담당자 변경(넘겨받음)", "taken over"),
    "action.release": ("담당자 해제", "officer released"),
    "action.note": ("내부 메모", "internal note"),
    "action.supplement_request": ("보완 요청", "supplement requested"),
    "action.supplement_extend": ("보완 기간 연장", "supplement period extended"),
    "action.supplement_reply": ("보완", "supplemented"),
    "action.supplement_withdraw": ("보완 요청 철회", "supplement request withdrawn"),
    "action.supplement_expired": ("보완 기한 경과", "supplement period passed"),
    # --- pushes to the citizen -----------------------------------------------------------
    "push.assigned": ("[{receipt}] {department} 담당자가 민원을 맡았습니다. 기한: {deadline}",
                      "[{receipt}] An officer of {department} has taken your complaint. Due: {deadline}"),
    "push.transferred": ("[{receipt}] 민원이 {department:으로/로} 이송되었습니다.\n사유: {note}\n처리 기한: {deadline}",
                         "[{receipt}] Your complaint was transferred to {department}.\nReason: {note}\nDeadline: {deadline}"),
    "push.returned": ("[{receipt}] 민원을 다시 {department}에서 처리합니다 (부서 간 조정).\n처리 기한: {deadline}",
                      "[{receipt}] Your complaint is with {department} again (the departments agreed who handles it).\nDeadline: {deadline}"),
    "push.to_desk": ("[{receipt}] 어느 부서가 처리할지 {department}(첫 창구)가 정해 다시 알려 드립니다.\n처리 기한: {deadline}",
                     "[{receipt}] {department} (the first-contact desk) is deciding which department handles your complaint; you will be told.\nDeadline: {deadline}"),
    "push.extended": ("[{receipt}] 처리 기한이 {deadline:으로/로} 연장되었습니다 (민원처리법 시행령 §21).\n사유: {note}",
                      "[{receipt}] The deadline was extended to {deadline}.\nReason: {note}"),
    "push.rejected": ("[{receipt}] 민원이 반려되었습니다.\n사유: {note}\n\n구제 절차: {remedy}",
                      "[{receipt}] Your complaint was rejected.\nReason: {note}\n\nRemedy: {remedy}"),
    "push.answered": ("[{receipt}] <b>{department}의 답변</b>\n{answer}\n\n문제가 해결되었나요?",
                      "[{receipt}] <b>Answer from {department}</b>\n{answer}\n\nIs the problem solved?"),
    "push.resolved_btn": ("👍 해결됨", "👍 Solved"),
    "push.unresolved_btn": ("👎 해결 안 됨", "👎 Not solved"),
    "push.autoclosed": ("[{receipt}] 답변 후 {days}일 동안 응답이 없어 민원을 종결했습니다.", "[{receipt}] Closed: no reply for {days} days after the answer."),
    "citizen.closed": ("해결되었다니 다행입니다. 민원을 종결했습니다.", "Glad it is solved. The complaint is closed."),
    "citizen.ask_reopen": ("무엇이 해결되지 않았는지 적어 주세요 (10~1,000자). 같은 부서에서 다시 처리합니다.",
                           "Tell us what is still wrong (10–1,000 characters). The same department will handle it again."),
    "citizen.reopened": ("[{receipt}] 재처리를 요청했습니다. 새 처리 기한: {deadline}", "[{receipt}] Reopened. New deadline: {deadline}"),
    # --- rating (친절 OSS) -----------------------------------------------------------------
    "rate.ask": ("[{receipt}] {department}의 민원 처리에 얼마나 만족하셨나요? (1 매우 불만 ~ 5 매우 만족)",
                 "[{receipt}] How satisfied are you with how {department} handled it? (1 very unhappy – 5 very happy)"),
    "rate.thanks_overall": ("평가해 주셔서 감사합니다 ({score}점). 다섯 항목(첫인사·안내·말투·답변·끝인사)도 평가해 주시겠어요?",
                            "Thank you ({score}/5). Would you also rate the five items (greeting, guidance, tone, answer, closing)?"),
    "rate.details_yes": ("항목별 평가하기", "Rate the items"),
    "rate.details_no": ("여기까지", "That's all"),
    "rate.item": ("{n}/5 <b>{item}</b>{item:~은/는} 어땠나요?", "{n}/5 How was the <b>{item}</b>?"),
    "rate.item.greeting": ("첫인사", "greeting"),
    "rate.item.guidance": ("안내", "guidance"),
    "rate.item.tone": ("말투", "tone"),
    "rate.item.answer": ("답변", "answer"),
    "rate.item.closing": ("끝인사", "closing"),
    "rate.ask_comment": ("하고 싶은 말씀이 있으면 적어 주세요 (1,000자까지). 없으면 [건너뛰기].",
                         "Any comment? (up to 1,000 characters) Or [Skip]."),
    "rate.comment_long": ("1,000자까지 적을 수 있습니다 (지금 {n}자).", "Up to 1,000 characters please (now {n})."),
    "rate.done": ("소중한 평가 감사합니다. 더 나은 서비스로 보답하겠습니다.", "Thank you for your rating."),
    "rate.already": ("이미 평가하셨습니다. 감사합니다.", "You have already rated this. Thank you."),
    "cf.repeat_of": ("\n\n🔁 먼저 접수하신 민원 {receipt:와/과} 같은 내용이라 그 민원에 연결했습니다 (민원처리법 제23조 반복 민원). "
                     "처리 결과는 두 민원 모두 /status 에서 볼 수 있습니다.",
                     "\n\n🔁 This repeats your complaint {receipt}, so it is linked to it (Civil Petitions Act §23, repeated petitions). "
                     "See both in /status."),
    "op.repeat_of": ("🔁 반복 민원: 같은 민원인이 같은 내용으로 {receipt} 접수 (민원처리법 제23조)\n",
                     "🔁 Repeat: the same resident filed the same words as {receipt} (Civil Petitions Act §23)\n"),
    "cf.daily_limit": ("오늘은 민원을 이미 {n}건 접수하셔서 더 접수할 수 없습니다. {at}부터 다시 접수할 수 있습니다. "
                       "작성하신 내용은 그대로 두었으니 그때 [제출]을 눌러 주세요.",
                       "You have already filed {n} complaints today, the most one person can file in a day. "
                       "You can file again from {at}. Your form is kept: press [Submit] then."),
    "rate.not_offered.handled": ("[{receipt}] 직접 처리하신 민원이라 만족도 평가는 받지 않습니다. 부서 평가는 민원인만 합니다.",
                                 "[{receipt}] You handled this complaint yourself, so it is not offered for rating: only residents rate a department."),
    "rate.not_offered.own_staff": ("[{receipt}] 소속 부서의 민원이라 만족도 평가는 받지 않습니다. 부서 평가는 그 부서 직원이 아닌 민원인만 합니다.",
                                   "[{receipt}] This complaint was handled by your own department, so it is not offered for rating: a department is rated only by people outside it."),
    "rate.refused.handled": ("직접 처리하신 민원은 평가할 수 없습니다.", "You cannot rate a complaint you handled."),
    "rate.refused.own_staff": ("소속 부서의 민원은 평가할 수 없습니다.", "You cannot rate your own department's complaint."),
    # --- officers -----------------------------------------------------------------------
    "op.new": ("📥 <b>새 민원 {receipt}</b> ({kind})\n분야: {category}\n기한: {deadline}\n위치: {location}\n사진: {photos}장 · 연락처: {phone}\n\n{description}",
               "📥 <b>New complaint {receipt}</b> ({kind})\nTopic: {category}\nDue: {deadline}\nPlace: {location}\nPhotos: {photos} · Phone: {phone}\n\n{description}"),
    "op.transferred_in": ("📥 <b>이송된 민원 {receipt}</b> ({from_department}에서)\n사유: {note}\n분야: {category}\n기한: {deadline}\n\n{description}",
                          "📥 <b>Transferred complaint {receipt}</b> (from {from_department})\nReason: {note}\nTopic: {category}\nDue: {deadline}\n\n{description}"),
    "op.returned_in": ("↩️ <b>반송된 민원 {receipt}</b> — {from_department:이/가} 되돌려 보냈습니다\n반송 사유: {note}\n분야: {category}\n기한: {deadline}\n\n{description}",
                       "↩️ <b>Returned complaint {receipt}</b> — {from_department} sent it back\nWhy: {note}\nTopic: {category}\nDue: {deadline}\n\n{description}"),
    "op.desk_bounced": ("⚖️ <b>부서 간 조정 민원 {receipt}</b>\n부서 사이를 여러 번 오가 첫 창구로 왔습니다. 처리할 부서를 정해 이송해 주세요 "
                        "(정한 부서는 반송할 수 없습니다).\n{reasons}\n분야: {category}\n기한: {deadline}\n\n{description}",
                        "⚖️ <b>Complaint to decide {receipt}</b>\nIt went back and forth between departments and came to the first-contact desk. "
                        "Transfer it to the department that must handle it (that department cannot return it).\n{reasons}\nTopic: {category}\nDue: {deadline}\n\n{description}"),
    "op.reopened_in": ("🔁 <b>재처리 요청 {receipt}</b>\n민원인 의견: {note}\n새 기한: {deadline}\n\n이전 답변: {answer}",
                       "🔁 <b>Reopened {receipt}</b>\nResident says: {note}\nNew deadline: {deadline}\n\nPrevious answer: {answer}"),
    "op.withdrawn": ("↩️ <b>민원 취하 {receipt}</b> ({category})\n민원인이 개인정보 삭제를 요청하며 민원을 취하했습니다. 처리를 멈춰 주세요. "
                     "민원 내용·사진·위치·연락처는 삭제되어 더 볼 수 없습니다.",
                     "↩️ <b>Complaint withdrawn {receipt}</b> ({category})\nThe resident withdrew it and asked for their data to be deleted. "
                     "Please stop working on it. Its text, photos, location and phone have been deleted."),
    "op.card": ("<b>{receipt}</b> · {state}\n분야: {category} ({kind})\n담당: {department}{officer}\n접수: {received}\n기한: {deadline}{overdue}\n위치: {location}\n사진: {photos}장 · 연락처: {phone}\n\n{description}",
                "<b>{receipt}</b> · {state}\nTopic: {category} ({kind})\nDepartment: {department}{officer}\nReceived: {received}\nDue: {deadline}{overdue}\nPlace: {location}\nPhotos: {photos} · Phone: {phone}\n\n{description}"),
    "op.card_officer": (" / 담당자 {officer}", " / officer {officer}"),
    # a department's group chat (workflows/complaints.group_card): only what the whole group may see
    "op.group.card": ("{head}\n분야: {category} ({kind}) · {dong}\n기한: {deadline} · {state}\n\n"
                      "🔒 민원 내용과 민원인 연락처·주소·사진은 1:1 대화에서 봅니다.",
                      "{head}\nTopic: {category} ({kind}) · {dong}\nDue: {deadline} · {state}\n\n"
                      "🔒 What the resident wrote, their contact, address and photos are shown in a private chat."),
    "op.group.new": ("📥 <b>새 민원 {receipt}</b>", "📥 <b>New complaint {receipt}</b>"),
    "op.group.transferred_in": ("📥 <b>이송된 민원 {receipt}</b> ({from_department}에서)",
                                "📥 <b>Transferred complaint {receipt}</b> (from {from_department})"),
    "op.group.returned_in": ("↩️ <b>반송된 민원 {receipt}</b> ({from_department}에서)",
                             "↩️ <b>Returned complaint {receipt}</b> (from {from_department})"),
    "op.group.desk_bounced": ("⚖️ <b>부서 간 조정 민원 {receipt}</b>", "⚖️ <b>Complaint to decide {receipt}</b>"),
    "op.group.reopened_in": ("🔁 <b>재처리 요청 {receipt}</b>", "🔁 <b>Reopened {receipt}</b>"),
    "op.group.withdrawn": ("↩️ <b>민원 취하 {receipt}</b> — 처리를 멈춰 주세요", "↩️ <b>Withdrawn {receipt}</b> — please stop work on it"),
    "op.group.no_dong": ("동 정보 없음", "no 동 given"),
    "op.group.open": ("🔒 1:1 대화에서 열기", "🔒 Open in a private chat"),
    "staff_link.not_found": ("이 항목을 찾을 수 없거나 볼 수 있는 담당자가 아닙니다.", "This item cannot be found, or you are not an officer who may see it."),
    # handlers/group.py: personal-data commands and buttons in a group chat
    "group.private_only": ("🔒 개인정보가 보일 수 있는 기능이라 그룹 대화에서는 답하지 않습니다. "
                           "봇과의 1:1 대화에서 {command} 를 보내 주세요.",
                           "🔒 This can show personal data, so it is not answered in a group. "
                           "Please send {command} in a private chat with the bot."),
    "group.open_private": ("🔒 1:1 대화 열기", "🔒 Open a private chat"),
    "group.private_button": ("개인정보가 보일 수 있어 그룹에서는 열지 않습니다. 봇과의 1:1 대화에서 여세요.",
                             "This can show personal data, so it does not open in a group. Open it in a private chat with the bot."),
    # an answer (or another form) started from a button in a group goes on in the private chat
    "grp.form.private_answer": ("그룹 대화에서 누르신 {receipt} 답변을 여기 1:1 대화에서 이어 적습니다 (그룹에는 답변 내용이 올라가지 않습니다).",
                                "You pressed Answer for {receipt} in a group: write it here in the private chat (nothing of it goes to the group)."),
    "grp.form.private_card": ("그룹 대화에서 {receipt}의 [{action}] 버튼을 누르셨습니다. 이 처리는 여기 1:1 대화에서 합니다: 아래 카드에서 다시 눌러 주세요.",
                              "You pressed [{action}] for {receipt} in a group: it is done here in the private chat. Press it again on the card below."),
    "grp.form.opened": ("1:1 대화에 {receipt} 양식을 열었습니다. 거기서 이어 가세요.", "Opened {receipt} in your private chat with the bot; go on there."),
    "grp.form.unreachable": ("🔒 {receipt}의 [{action}] 처리는 봇과의 1:1 대화에서 합니다. 누르신 분이 아직 봇과 대화를 시작하지 않아 먼저 보낼 수 없었습니다: 아래 버튼으로 여세요.",
                             "🔒 [{action}] for {receipt} is done in a private chat with the bot, which could not write to whoever pressed it first (they have not started it): open it with the button below."),
    "grp.form.unreachable_alert": ("1:1 대화로 보낼 수 없었습니다. 그룹에 남긴 버튼으로 봇을 열어 주세요.",
                                   "The bot could not write to you privately; open it with the button left in the group."),
    "grp.form.btn": ("✍️ 1:1 대화에서 이어 하기", "✍️ Continue in a private chat"),
    "op.overdue": (" ⚠️ 기한 경과", " ⚠️ overdue"),
    "op.btn.take": ("접수", "Take"),
    "op.btn.answer": ("답변", "Answer"),
    "op.btn.transfer": ("이송", "Transfer"),
    "op.btn.return": ("↩️ 반송", "↩️ Return"),
    "op.btn.reject": ("반려", "Reject"),
    "op.btn.extend": ("연장", "Extend"),
    "op.btn.media": ("사진·위치 보기", "Photos & place"),
    "op.taken": ("{receipt:을/를} 맡았습니다. 기한: {deadline}", "You took {receipt}. Due: {deadline}"),
    "op.ask_answer": ("{receipt}에 대한 답변을 적어 주세요 (10~4,000자). 민원인에게 그대로 전달됩니다. /cancel 로 취소.",
                      "Type the answer to {receipt} (10–4,000 characters); it goes to the resident as written. /cancel to stop."),
    "op.answer_short": ("답변이 너무 짧습니다 (최소 10자, 지금 {n}자).", "Too short: at least 10 characters (now {n})."),
    "op.answer_long": ("답변은 4,000자까지입니다 (지금 {n}자).", "Up to 4,000 characters (now {n})."),
    "op.answer_preview": ("<b>{receipt} 답변 미리보기</b>\n\n{answer}\n\n이대로 보낼까요?", "<b>Answer preview for {receipt}</b>\n\n{answer}\n\nSend it?"),
    "op.btn.send": ("보내기", "Send"),
    "op.btn.rewrite": ("다시 쓰기", "Rewrite"),
    "op.answer_sent": ("{receipt} 답변을 보냈습니다.", "Answer to {receipt} sent."),
    # --- the answer's attachments and templates (issue 16 §4: workflows/answer_files.py, answer_templates.py)
    "op.answer_preview_files": ("<b>{receipt} 답변 미리보기</b>\n\n{answer}\n\n{files}\n\n이대로 보낼까요?",
                                "<b>Answer preview for {receipt}</b>\n\n{answer}\n\n{files}\n\nSend it?"),
    "ans.files.none": ("📎 첨부 없음 — 사진이나 문서(PDF·HWP·DOCX·XLSX 등)를 지금 보내면 답변과 함께 보냅니다 (최대 {max}개).",
                       "📎 No attachments — send photos or documents (PDF, HWP, DOCX, XLSX …) now and they go with the answer (up to {max})."),
    "ans.files.some": ("📎 첨부 {n}개: {names}", "📎 {n} attached: {names}"),
    "ans.files.more": (" — {left}개 더 보낼 수 있습니다.", " — you may add {left} more."),
    "ans.files.kind.photo": ("사진", "photo"),
    "ans.files.kind.document": ("문서", "document"),
    "ans.files.added": ("📎 첨부 {n}/{max}: {name}\n더 보내시거나 아래 버튼을 누르세요.",
                        "📎 Attached {n}/{max}: {name}\nSend more, or use the buttons below."),
    "ans.files.added_write": ("📎 첨부 {n}/{max}: {name}\n이제 답변 글을 적어 보내 주세요 (10~4,000자).",
                              "📎 Attached {n}/{max}: {name}\nNow type the answer (10–4,000 characters)."),
    "ans.files.caption_ignored": ("사진 설명(캡션)은 답변 글에 넣지 않았습니다. 글을 바꾸려면 미리보기의 [다시 쓰기]를 누르세요.",
                                  "The caption was not added to the answer; to change the text press [Rewrite] in the preview."),
    "ans.files.full": ("첨부는 {max}개까지입니다. 이 파일은 붙이지 않았습니다. 바꾸려면 미리보기에서 [📎 첨부 빼기]를 누르세요.",
                       "Up to {max} attachments: this file was not added. To change them press [📎 Remove attachments] in the preview."),
    "ans.files.same": ("이미 첨부한 파일입니다.", "That file is attached already."),
    "ans.files.refused": ("답변에는 사진과 문서(PDF·HWP·HWPX·DOCX·XLSX·PPTX·TXT, 파일로 보낸 JPG·PNG)만 붙일 수 있습니다. {what:은/는} 붙이지 않았습니다.",
                          "Only photos and documents (PDF, HWP, HWPX, DOCX, XLSX, PPTX, TXT, JPG or PNG sent as a file) go with an answer: the {what} was not attached."),
    "ans.files.caption": ("📎 {receipt} 답변 첨부 ({n}개)", "📎 Attachments to the answer to {receipt} ({n})"),
    "ans.btn.send_files": ("보내기 (첨부 {n}개)", "Send ({n} attached)"),
    "ans.btn.preview": ("미리보기", "Preview"),
    "ans.btn.remove": ("📎 첨부 빼기", "📎 Remove attachments"),
    "ans.btn.remove_all": ("모두 빼기", "Remove all"),
    "ans.btn.templates": ("📋 템플릿", "📋 Templates"),
    "ans.remove.ask": ("뺄 첨부를 고르세요.", "Choose the attachment to remove."),
    "ans.remove.one": ("✖ {label}", "✖ {label}"),
    "ans.tpl.title": ("📋 <b>{department} 답변 템플릿</b> {n}개{page}\n고르면 그 글이 답변 미리보기에 들어갑니다. 보내기 전에 고쳐 쓸 수 있습니다.",
                      "📋 <b>{department} answer templates</b>: {n}{page}\nChoose one to put its text in the answer preview; you can still rewrite it before sending."),
    "ans.tpl.none": ("{department}에 저장된 답변 템플릿이 없습니다. /templates 에서 추가할 수 있습니다. 답변 글을 적어 보내 주세요.",
                     "{department} has no saved answer templates yet (add them with /templates). Please type the answer."),
    "ans.tpl.not_found": ("이 부서의 템플릿이 아니거나 삭제된 템플릿입니다.", "Not a template of your department, or it was deleted."),
    "tpl.page": (" ({p}/{pages}쪽)", " (page {p}/{pages})"),
    "tpl.btn.prev": ("◀ 이전", "◀ Previous"),
    "tpl.btn.next": ("다음 ▶", "Next ▶"),
    "tpl.list": ("📋 <b>{department} 답변 템플릿</b> {n}개{page}\n\n{lines}\n\n제목을 누르면 전체 글과 삭제 버튼이 나옵니다. 답변할 때 [📋 템플릿]으로 불러옵니다 (동료만 봅니다).",
                 "📋 <b>{department} answer templates</b>: {n}{page}\n\n{lines}\n\nPress a title for the whole text and to delete it. In the answer form, [📋 Templates] puts one in (staff only)."),
    "tpl.list_empty": ("📋 <b>{department} 답변 템플릿</b> — 아직 없습니다.\n자주 쓰는 답변을 저장해 두면 답변할 때 [📋 템플릿]으로 불러옵니다 (동료만 봅니다).",
                       "📋 <b>{department} answer templates</b> — none yet.\nSave the answers you write often and put them in with [📋 Templates] when answering (staff only)."),
    "tpl.line": ("{i}. <b>{title}</b> — {words}", "{i}. <b>{title}</b> — {words}"),
    "tpl.btn.add": ("➕ 새 템플릿", "➕ New template"),
    "tpl.btn.delete": ("🗑 삭제", "🗑 Delete"),
    "tpl.btn.delete_yes": ("삭제합니다", "Delete it"),
    "tpl.btn.keep": ("취소", "Keep it"),
    "tpl.btn.back": ("◀ 목록", "◀ List"),
    "tpl.ask_title": ("새 템플릿의 제목을 적어 주세요 (60자 이내, 동료만 봅니다). /cancel 로 취소.",
                      "Type the new template's title (up to 60 characters; only staff see it). /cancel to stop."),
    "tpl.ask_body": ("「{title}」 템플릿의 답변 글을 적어 주세요 (10~4,000자). 민원인에게 답변으로 그대로 갈 글입니다.",
                     "Type the answer text of 「{title}」 (10–4,000 characters); it goes to residents as the answer."),
    "tpl.title_empty": ("제목을 글로 적어 주세요.", "Please type a title."),
    "tpl.title_long": ("제목은 60자까지입니다 (지금 {n}자).", "Up to 60 characters (now {n})."),
    "tpl.title_taken": ("같은 제목의 템플릿이 이미 있습니다. 다른 제목을 적어 주세요.", "A template with that title exists; please choose another."),
    "tpl.too_many": ("템플릿은 부서마다 {n}개까지입니다. 쓰지 않는 것을 먼저 삭제해 주세요.", "Up to {n} templates per department; delete unused ones first."),
    "tpl.saved": ("✅ 「{title}」 템플릿을 저장했습니다.", "✅ Template 「{title}」 saved."),
    "tpl.view": ("📋 <b>{title}</b>\n\n{body}", "📋 <b>{title}</b>\n\n{body}"),
    "tpl.confirm_delete": ("「{title}」 템플릿을 삭제할까요? 이미 보낸 답변은 그대로입니다.",
                           "Delete the template 「{title}」? Answers already sent stay as they are."),
    "tpl.deleted": ("🗑 「{title}」 템플릿을 삭제했습니다.", "🗑 Template 「{title}」 deleted."),
    "tpl.kept": ("삭제하지 않았습니다.", "Not deleted."),
    "tpl.not_found": ("이 부서의 템플릿이 아니거나 이미 삭제되었습니다.", "Not a template of your department, or already deleted."),
    "op.ask_transfer_dept": ("{receipt:을/를} 어느 부서로 이송할까요?", "Transfer {receipt} to which department?"),
    "op.ask_transfer_reason": ("{department:으로/로} 이송하는 사유를 적어 주세요 (5~500자).", "Why transfer to {department}? (5–500 characters)"),
    "op.transferred": ("{receipt:을/를} {department:으로/로} 이송했습니다.", "{receipt} transferred to {department}."),
    "op.ask_return_reason": ("{receipt:을/를} {department:으로/로} 반송하는 사유를 적어 주세요 (5~500자). {department}의 담당자가 이 사유를 먼저 봅니다.",
                             "Why return {receipt} to {department}? (5–500 characters) Its officers read this first."),
    "op.returned": ("{receipt:을/를} {department:으로/로} 반송했습니다.", "{receipt} returned to {department}."),
    "op.sent_to_desk": ("{receipt:은/는} 부서 사이를 세 번째로 오가게 되어 {desk}(첫 창구)로 보냈습니다. 첫 창구가 처리할 부서를 정합니다.",
                        "{receipt} would have moved between departments a third time, so it went to {desk} (the first-contact desk), which decides who handles it."),
    "op.not_returnable": ("이 민원은 반송할 수 없습니다: 이송되어 온 민원만 보낸 부서로 반송할 수 있고, 첫 창구가 정한 부서는 반송할 수 없습니다.",
                          "This complaint cannot be returned: only a complaint transferred in can go back to the department that sent it, and not one the first-contact desk assigned."),
    "op.same_department": ("이미 이 부서의 민원입니다. 다른 부서를 골라 주세요.", "It is already with this department; choose another."),
    "op.ask_reject_reason": ("{receipt:을/를} 반려하는 사유를 적어 주세요 (5~1,000자).", "Why reject {receipt}? (5–1,000 characters)"),
    "op.ask_remedy": ("민원인에게 안내할 구제 절차를 고르세요.", "Choose the remedy to tell the resident."),
    "op.rejected": ("{receipt:을/를} 반려했습니다.", "{receipt} rejected."),
    "op.ask_extend_reason": ("{receipt} 기한 연장 사유를 적어 주세요 (5~500자). 연장은 한 번만, 원래 처리 기간만큼 가능합니다 (새 기한 {deadline}).",
                             "Why extend {receipt}? (5–500 characters) One extension, by the original period (new deadline {deadline})."),
    "op.extended": ("{receipt} 기한을 {deadline:으로/로} 연장했습니다.", "{receipt} extended to {deadline}."),
    "op.already_extended": ("이 민원은 이미 한 번 연장했습니다. 추가 연장은 민원인 동의가 필요하므로 전화로 협의해 주세요.",
                            "This complaint was already extended once; a second extension needs the resident's consent."),
    "op.reason_short": ("사유를 조금 더 적어 주세요 (최소 {min}자).", "Please give a longer reason (at least {min} characters)."),
    "op.reason_long": ("사유는 {max}자까지입니다 (지금 {n}자).", "The reason can be up to {max} characters (now {n})."),
    "op.not_your_department": ("다른 부서의 민원은 볼 수 없습니다.", "You cannot see another department's complaint."),
    "op.bad_state": ("지금 상태({state})에서는 할 수 없는 처리입니다.", "Not possible while the complaint is {state}."),
    "op.inbox_empty": ("처리할 민원이 없습니다.", "Nothing in the inbox."),
    "op.find_usage": ("사용법: /find 2026-000123", "Usage: /find 2026-000123"),
    "op.not_officer": ("담당자로 등록된 분만 쓸 수 있습니다. 관리자에게 /invite 링크를 요청하세요.",
                       "Only registered officers can use this. Ask an admin for an invite link."),
    "op.reminder": ("⏰ [{receipt}] 처리 기한이 {deadline}입니다 (근무시간 {hours}시간 남음).", "⏰ [{receipt}] due {deadline} ({hours} working hours left)."),
    # the first-contact desk (workflows/complaints.hand_to_desk)
    "desk.handed": ("📨 <b>{desk}(첫 창구)로 넘어온 민원</b> — {department}에 연락 가능한 담당자가 없습니다. 접수해 처리하거나 알맞은 부서로 이송해 주세요.",
                    "📨 <b>Handed to {desk} (first-contact desk)</b> — nobody in {department} can be reached. Take it, or transfer it to the right department."),
    "desk.reason.no_officer": ("연락 가능한 담당자 없음", "no officer to reach"),
    "desk.reason.unreachable": ("담당자에게 메시지가 전달되지 않음", "Telegram refused the officers' messages"),
    "bounce.line": ("• {action}: {sender} → {to} — {note}", "• {action}: {sender} → {to} — {note}"),
    "bounce.line_attempt": ("• 다시 보내려 함: {sender} → {to} — {note}", "• would have moved again: {sender} → {to} — {note}"),
    "reach.unreachable": ("⚠️ <b>{department}</b>에 연락 가능한 담당자가 없습니다: 텔레그램이 메시지를 거부했습니다 (봇을 시작하지 않았거나 차단함).\n"
                          "/start 를 눌러야 하는 담당자: {who}\n"
                          "그동안 이 부서의 민원은 {desk}(첫 창구)가 맡을 수 있고, 전달되지 못한 카드는 담당자가 /start 를 누르면 다시 보냅니다.",
                          "⚠️ <b>{department}</b> has no officer the bot can reach: Telegram refused the messages (the bot was never started, or was blocked).\n"
                          "Must press /start: {who}\n"
                          "Meanwhile {desk} (first-contact desk) can act on its complaints; the cards that did not arrive go again once they press /start."),
    "reach.back": ("✅ <b>{department}</b>: {who} 담당자가 /start 를 눌러 다시 연락할 수 있습니다. 전달되지 못했던 민원 {n}건을 다시 보냈습니다.",
                   "✅ <b>{department}</b>: {who} pressed /start and can be reached again; {n} complaints that had not arrived were sent again."),
    "reach.resent": ("📬 <b>전달되지 못했던 민원 {receipt}</b> · {state}\n분야: {category} ({kind})\n기한: {deadline}\n위치: {location}\n사진: {photos}장 · 연락처: {phone}\n\n{description}",
                     "📬 <b>Complaint that had not reached you: {receipt}</b> · {state}\nTopic: {category} ({kind})\nDue: {deadline}\nPlace: {location}\nPhotos: {photos} · Phone: {phone}\n\n{description}"),
    # the escalation digest: one message per recipient per run (workflows/escalation.py)
    "esc.digest.title": ("🚨 <b>처리 기한을 넘긴 민원 {n}건</b> ({at} 기준)", "🚨 <b>{n} complaints past their deadline</b> (as of {at})"),
    "esc.digest.department": ("<b>{department}</b> {n}건", "<b>{department}</b>: {n}"),
    "esc.digest.line": ("• {receipt} · {late} 지남 · {state}{desk}", "• {receipt} · {late} overdue · {state}{desk}"),
    "esc.digest.at_desk": (" · 첫 창구 인계", " · at the first-contact desk"),
    "esc.digest.more": ("• … 외 {n}건", "• … and {n} more"),
    "esc.digest.more_staff": ("• … 외 {n}건 (/inbox)", "• … and {n} more (/inbox)"),
    "esc.digest.open": ("열기 {receipt}", "Open {receipt}"),
    "esc.late.days": ("{d}일 {h}시간", "{d} d {h} h"),
    "esc.late.days_only": ("{d}일", "{d} d"),
    "esc.late.hours": ("{h}시간", "{h} h"),
    "esc.late.minutes": ("{m}분", "{m} min"),
    "op.text_expected": ("글로 적어 보내 주세요. /cancel 로 그만둘 수 있습니다.", "Please send text. /cancel to stop."),
    "op.no_location": ("이 민원에는 사진이나 위치가 없습니다.", "This complaint has no photos or location."),
    # --- staff workspace (issue 16 §2–3): lists, search, digest, names, teamwork (workflows/worklist.py, casework.py)
    "ws.unnamed": ("이름 미등록 담당자(#{id})", "officer without a name (#{id})"),
    "ws.by": ("{name} 지정", "by {name}"),
    "ws.nobody": ("미배정", "unassigned"),
    "ws.and_more": (" 외 {n}건", " and {n} more"),
    "ws.btn.open": ("열기", "Open"),
    "ws.span.days": ("{d}일 {h}시간", "{d}d {h}h"),
    "ws.span.hours": ("{h}시간", "{h}h"),
    "ws.span.days_only": ("{d}일", "{d}d"),
    "ws.left.over": ("⚠️ {span} 지남", "⚠️ {span} overdue"),
    "ws.left.today": ("⏰ 오늘 {at}까지 ({span})", "⏰ today {at} ({span} left)"),
    "ws.left.in": ("⏳ {span} 남음", "⏳ {span} left"),
    "ws.place.pin": ("📍 위치만", "📍 pin only"),
    "ws.place.none": ("장소 없음", "no place"),
    "ws.line": ("{n}. <b>{receipt}</b> {flag}{category} · {place}\n    “{words}” · 👤 {who} · {when}",
                "{n}. <b>{receipt}</b> {flag}{category} · {place}\n    “{words}” · 👤 {who} · {when}"),
    "ws.scope.a": ("전체", "All"),
    "ws.scope.m": ("내 담당", "Mine"),
    "ws.scope.u": ("미배정", "Unassigned"),
    "ws.scope.o": ("기한 경과", "Overdue"),
    "ws.scope.d": ("오늘 기한", "Due today"),
    "ws.filtered": (" — {filters}", " — {filters}"),
    "ws.inbox.title": ("<b>{department} 처리함</b> — 미처리 {n}건{filters}", "<b>{department} inbox</b> — {n} open{filters}"),
    "ws.page": ("{total}건 중 {first}–{last} ({page}/{pages}쪽, 기한 순)", "{first}–{last} of {total} (page {page}/{pages}, by deadline)"),
    "ws.page.search": ("{total}건 중 {first}–{last} ({page}/{pages}쪽, 최신 순)", "{first}–{last} of {total} (page {page}/{pages}, newest first)"),
    "ws.page.plain": ("{total}건 중 {first}–{last} ({page}/{pages}쪽)", "{first}–{last} of {total} (page {page}/{pages})"),
    "ws.empty": ("해당하는 항목이 없습니다.", "Nothing matches."),
    "ws.btn.prev": ("◀ 이전", "◀ Prev"),
    "ws.btn.next": ("다음 ▶", "Next ▶"),
    "ws.btn.category": ("분야 ▾", "Category ▾"),
    "ws.btn.dong": ("동 ▾", "동 ▾"),
    "ws.btn.reset": ("필터 지우기", "Clear filters"),
    "ws.btn.back": ("← 목록으로", "← Back to the list"),
    "ws.btn.all_categories": ("모든 분야", "All categories"),
    "ws.btn.all_dongs": ("모든 동", "Every 동"),
    "ws.picker.category": ("분야를 고르세요 (괄호 안: 지금 목록의 건수).", "Choose a category (in brackets: how many in the list now)."),
    "ws.picker.dong": ("동을 고르세요 (민원은 주소에 그 동 이름이 있는 것만 걸러집니다).", "Choose a 동 (a complaint matches when its address names it)."),
    "ws.not_allowed": ("이 목록을 볼 수 없습니다.", "You cannot see this list."),
    "ws.search.title": ("🔎 <b>{department}</b>에서 “{words}” 찾기: {n}건", "🔎 “{words}” in <b>{department}</b>: {n}"),
    "ws.search.cut": ("검색어가 길어 “{words}”까지로 찾았습니다.", "The search was long: searched for “{words}”."),
    "ws.find_usage": ("사용법: /find 2026-000123 (접수번호로 열기) 또는 /find 낱말… (우리 부서 민원의 내용·주소에서 찾기)",
                      "Usage: /find 2026-000123 (open by receipt no) or /find words… (search your department's complaints)"),
    "ws.onestop.title": ("<b>{department}</b> 원스톱 처리함 ({n}건){filters}", "<b>{department}</b> one-stop inbox ({n}){filters}"),
    "ws.onestop.line": ("{n}. <b>{receipt}</b> {icon} {service}\n    {kind} · {place} · 👤 {who} · {state} · 접수 {filed}",
                        "{n}. <b>{receipt}</b> {icon} {service}\n    {kind} · {place} · 👤 {who} · {state} · filed {filed}"),
    "ws.tax.title": ("<b>고지 목록</b> ({n}건){filters}", "<b>Notices</b> ({n}){filters}"),
    "ws.tax.line": ("{n}. <b>{no}</b> {licence} · {place}\n    “{business}” · 👤 {who} · {when}",
                    "{n}. <b>{no}</b> {licence} · {place}\n    “{business}” · 👤 {who} · {when}"),
    "ws.tax.awaiting": ("🔎 종 확인 대기", "🔎 class to confirm"),
    "ws.tax.due": ("🧾 {amount} · 납기 {due}{late}", "🧾 {amount} · due {due}{late}"),
    "ws.card": ("<b>{receipt}</b> · {category} · {place}\n{status}\n“{words}”\n기한: {deadline}",
                "<b>{receipt}</b> · {category} · {place}\n{status}\n“{words}”\nDue: {deadline}"),
    "ws.card.moved": ("➡️ {department:으로/로} 이송됨", "➡️ transferred to {department}"),
    "ws.card.state": ("상태: {state}", "State: {state}"),
    "ws.card.mine": ("✅ 내가 맡은 민원", "✅ yours"),
    "ws.card.taken": ("👤 {name} 님이 맡았습니다", "👤 taken by {name}"),
    "ws.card.unassigned": ("🆕 미배정 — 맡을 사람을 기다립니다", "🆕 unassigned — waiting for someone to take it"),
    "ws.group.head": ("<b>{receipt}</b> — {status}", "<b>{receipt}</b> — {status}"),
    "ws.taken_by": ("{receipt:은/는} {name} 님이 맡고 있습니다. 넘겨받으려면 아래 버튼을 누르세요 (처리 이력에 남고 {name} 님께 알립니다).",
                    "<b>{receipt}</b> is with {name}. To take it over, press the button below (recorded in the history; {name} is told)."),
    "ws.took_over": ("{receipt:을/를} 넘겨받았습니다. 이제 담당자입니다.", "You took over {receipt}; it is yours now."),
    "ws.taken_over_from_you": ("🔁 {name} 님이 <b>{receipt}</b> ({category}) 민원을 넘겨받았습니다. 이제 {name} 님이 담당합니다.",
                               "🔁 {name} took over <b>{receipt}</b> ({category}) from you."),
    "ws.assigned_to_you": ("📌 {name} 님이 <b>{receipt}</b> ({category}) 민원을 맡겼습니다. 이제 담당자입니다.",
                           "📌 {name} gave you <b>{receipt}</b> ({category}). It is yours now."),
    "ws.assign.ask": ("{receipt:을/를} 누구에게 맡길까요?", "Give {receipt} to whom?"),
    "ws.assign.none": ("같은 부서에 맡길 수 있는 다른 담당자가 없습니다.", "There is nobody else in the department to give it to."),
    "ws.assign.done": ("{receipt:을/를} {name} 님께 맡겼습니다.", "{receipt} is now with {name}."),
    "ws.assign.not_colleague": ("그분은 이 민원을 맡을 수 없습니다 (부서가 다르거나 역할이 끝났습니다).",
                                "They cannot take it (another department, or their role ended)."),
    "ws.note.ask": ("{receipt}에 남길 내부 메모를 적어 주세요 (2~1,000자). 직원만 처리 이력에서 보고, 민원인에게는 보이지 않습니다. /cancel 로 취소.",
                    "Write an internal note on {receipt} (2–1,000 characters). Only staff see it, in the history; never the resident. /cancel to stop."),
    "ws.note.saved": ("{receipt}에 메모를 남겼습니다 (직원만 봅니다).", "Note saved on {receipt} (staff only)."),
    "ws.note.short": ("메모가 너무 짧습니다.", "The note is too short."),
    "ws.note.long": ("메모는 1,000자까지입니다 (지금 {n}자).", "A note is at most 1,000 characters (now {n})."),
    "ws.settings": ("<b>설정</b>\n새 민원 알림: {mode}\n표시 이름: {name}\n\n• 카드: 새 민원마다 카드 한 장 (접수·답변 버튼)\n"
                    "• 아침 요약: 근무일 08:30에 새 민원·오늘 기한·기한 경과를 한 메시지로. 처리 기간이 시간 단위인 즉시 민원은 그대로 카드로 옵니다. 부서 단체방에는 계속 카드가 갑니다.",
                    "<b>Settings</b>\nNew complaints: {mode}\nShown as: {name}\n\n• Cards: one card per new complaint (Take / Answer buttons)\n"
                    "• Morning digest: one message at 08:30 on working days with new, due today and overdue. Complaints due within hours still come as cards; the department group still gets cards."),
    "ws.mode.cards": ("카드", "cards"),
    "ws.mode.digest": ("아침 요약 (08:30)", "morning digest (08:30)"),
    "ws.btn.mode.cards": ("카드로 받기", "Get cards"),
    "ws.btn.mode.digest": ("아침 요약으로 받기", "Get the morning digest"),
    "ws.settings.saved": ("저장했습니다. 새 민원 알림: {mode}", "Saved. New complaints: {mode}"),
    "ws.digest.head": ("☀️ <b>아침 요약</b> {date} — {department}\n⚠️ 기한 경과 {overdue}건 · ⏰ 오늘 기한 {today}건 · 🆕 새 민원 {new}건 (미배정 모두 {unassigned}건)",
                       "☀️ <b>Morning digest</b> {date} — {department}\n⚠️ overdue {overdue} · ⏰ due today {today} · 🆕 new {new} (unassigned in all: {unassigned})"),
    "ws.digest.new": ("🆕 <b>새 민원 {n}건</b> (아무도 맡지 않은 민원)", "🆕 <b>New: {n}</b> (nobody has taken them)"),
    "ws.digest.more": ("… 외 {n}건 — 아래 버튼이나 /inbox 에서", "… and {n} more — buttons below or /inbox"),
    "ws.digest.today": ("⏰ <b>오늘 기한 {n}건</b> (내 담당·미배정)", "⏰ <b>Due today: {n}</b> (yours and unassigned)"),
    "ws.digest.overdue": ("⚠️ <b>기한 경과 {n}건</b> (내 담당·미배정)", "⚠️ <b>Overdue: {n}</b> (yours and unassigned)"),
    "ws.digest.nothing": ("오늘 챙길 민원이 없습니다.", "Nothing waiting today."),
    "ws.digest.btn.unassigned": ("🆕 미배정 {n}", "🆕 Unassigned {n}"),
    "ws.digest.btn.today": ("⏰ 오늘 기한 {n}", "⏰ Due today {n}"),
    "ws.digest.btn.overdue": ("⚠️ 기한 경과 {n}", "⚠️ Overdue {n}"),
    "ws.digest.btn.mine": ("👤 내 담당", "👤 Mine"),
    "ws.orphans.ask": ("{name} 님이 맡던 {department} 민원 {n}건이 아직 열려 있습니다: {receipts}\n누구에게 넘길까요?",
                       "{name} still has {n} open complaints of {department}: {receipts}\nWho should get them?"),
    "ws.orphans.btn.unassign": ("미배정으로 (부서에 알림)", "Back to unassigned (tell the department)"),
    "ws.orphans.done_to": ("{n}건을 {name} 님께 넘겼습니다.", "{n} complaints given to {name}."),
    "ws.orphans.done_unassigned": ("{n}건을 미배정으로 돌리고 부서에 알렸습니다.", "{n} complaints are unassigned again; the department was told."),
    "ws.orphans.none": ("넘길 민원이 없습니다 (이미 처리되었거나 다른 분이 맡았습니다).", "Nothing left to hand on (already handled or taken)."),
    "ws.released_to_department": ("📤 {name} 님의 역할이 끝나 맡고 있던 민원 {n}건이 미배정으로 돌아왔습니다: {receipts}\n/inbox 의 [미배정]에서 맡아 주세요.",
                                  "📤 {name}'s role ended: {n} complaints they had are unassigned again: {receipts}\nTake them from /inbox [Unassigned]."),
    "op.btn.takeover": ("넘겨받기", "Take over"),
    "op.btn.assign": ("담당자 지정", "Assign"),
    "op.btn.note": ("메모", "Note"),
    # 보완 요청 (workflows/supplement.py, handlers/supplement.py; 민원처리법 §22, 시행령 §20·§24·§25)
    "op.btn.supplement": ("보완 요청", "Ask to supplement"),
    "op.btn.supp_cancel": ("보완 요청 철회", "Withdraw the supplement request"),
    "sp.paused": ("⏸ 보완 요청 중 (~{due})", "⏸ supplement requested (until {due})"),
    "sp.ask_what": ("[{receipt}] 민원인에게 보완을 요청합니다. 무엇이 빠졌는지 적어 보내 주세요 ({min}–{max}자).\n"
                    "보완하는 동안의 기간은 처리기간에 들어가지 않습니다 (민원처리법 시행령 §20). /cancel 로 그만둘 수 있습니다.",
                    "[{receipt}] Asking the resident to supplement. Write what is missing ({min}–{max} characters).\n"
                    "The time the resident takes is not counted in the processing period. /cancel to stop."),
    "sp.what_short": ("너무 짧습니다. 무엇이 빠졌는지 {min}자 이상으로 적어 주세요.", "Too short: at least {min} characters, please."),
    "sp.what_long": ("너무 깁니다 ({n}자). {max}자 이내로 줄여 주세요.", "Too long ({n} characters): at most {max}, please."),
    "sp.ask_period": ("언제까지 보완해 달라고 할까요? 버튼을 고르시거나 날짜를 적어 보내 주세요 (예: 2026-12-18, 12/18).\n"
                      "기간은 다음 날부터 세고, 마지막 날이 토요일·공휴일이면 다음 근무일까지입니다 (시행령 §24④, 민법 §157·§161).",
                      "By when should the resident supplement? Choose, or type a date (e.g. 2026-12-18, 12/18).\n"
                      "Counted from the next day; a last day on a Saturday or holiday moves to the next working day."),
    "sp.btn.days": ("{days}일 ({date}까지)", "{days} days (until {date})"),
    "sp.date_format": ("날짜를 알아볼 수 없습니다. 2026-12-18 또는 12/18 처럼 적어 주시거나 버튼을 골라 주세요.",
                       "That is not a date I can read. Type it like 2026-12-18 or 12/18, or choose a button."),
    "sp.date_past": ("오늘이나 지난 날짜입니다. 내일 이후의 날짜를 적어 주세요.", "That day is today or past: a later date, please."),
    "sp.date_far": ("너무 먼 날짜입니다. {max}일 이내로 정해 주세요.", "Too far ahead: within {max} days, please."),
    "sp.preview": ("<b>보완 요청 미리보기</b> [{receipt}]\n빠진 것: {what}\n보완 기한: {due}\n"
                   "민원인에게 이대로 보낼까요? 보완하는 동안 처리기간은 멈춥니다.",
                   "<b>Supplement request preview</b> [{receipt}]\nMissing: {what}\nBy: {due}\n"
                   "Send it to the resident? The processing period stops meanwhile."),
    "sp.sent": ("[{receipt}] 보완을 요청했습니다 ({due}까지). 민원인이 답하면 알려 드립니다.",
                "[{receipt}] Supplement requested (until {due}). You will hear when the resident answers."),
    "sp.already": ("[{receipt}] 이미 보완 요청 중입니다 ({due}까지).", "[{receipt}] A supplement request is already open (until {due})."),
    "sp.not_paused": ("이 보완 요청은 이미 끝났습니다 (답변·철회되었거나 민원이 처리되었습니다).",
                      "This supplement request has already ended (answered, withdrawn, or the complaint was decided)."),
    "sp.withdrawn_done": ("[{receipt}] 보완 요청을 철회했습니다. 처리기간이 다시 흐르며 기한은 {deadline}입니다.",
                          "[{receipt}] Supplement request withdrawn. The processing period runs again; deadline {deadline}."),
    "sp.again_done": ("[{receipt}] 보완을 다시 요청했습니다 ({due}까지, 시행령 §24③).",
                      "[{receipt}] Supplement requested again (until {due})."),
    "sp.not_due": ("보완 기한({due})이 아직 지나지 않았습니다.", "The supplement period ({due}) has not passed yet."),
    "sp.again_limit": ("다시 요청은 이미 했습니다. 반려하거나 요청을 철회해 주세요.",
                       "It was already asked again. Reject it, or withdraw the request."),
    "sp.btn.again": ("다시 요청 ({days}일)", "Ask again ({days} days)"),
    "sp.btn.reply": ("📝 보완하기", "📝 Supplement"),
    "sp.btn.more_time": ("⏳ 기간 연장 요청", "⏳ Ask for more time"),
    "sp.btn.more_days": ("{days}일 더 ({date}까지)", "{days} more days (until {date})"),
    "sp.btn.cancel": ("취소", "Cancel"),
    "sp.push.request": ("📝 [{receipt}] 담당 부서가 민원 처리를 위해 보완을 요청했습니다.\n요청한 곳: {by}\n\n빠진 것: {what}\n\n"
                        "<b>{due}까지</b> 이 대화창에 답해 주세요 (아래 [보완하기]). 보완하시는 동안의 기간은 처리기간에 들어가지 않습니다 "
                        "(민원처리법 시행령 §20). 기한까지 어려우면 [기간 연장 요청]을 눌러 주세요 (2회까지). "
                        "기한이 지나도록 보완이 없으면 민원이 반려될 수 있습니다 (시행령 §25).",
                        "📝 [{receipt}] The department asks you to supplement your complaint.\nAsked by: {by}\n\nMissing: {what}\n\n"
                        "Please answer in this chat <b>by {due}</b> ([Supplement] below). The time you take is not counted in "
                        "the processing period. If you need longer, press [Ask for more time] (twice at most). "
                        "Without a supplement by then the complaint may be returned."),
    "sp.push.again": ("📝 [{receipt}] 보완 기한이 지나 다시 요청드립니다 (시행령 §24③).\n\n빠진 것: {what}\n\n"
                      "<b>{due}까지</b> 답해 주세요. 이번에도 보완이 없으면 민원이 반려될 수 있습니다.",
                      "📝 [{receipt}] The period has passed; we ask again.\n\nMissing: {what}\n\n"
                      "Please answer <b>by {due}</b>. Without a supplement the complaint may be returned."),
    "sp.push.remind": ("⏰ [{receipt}] 보완 기한이 {due}입니다.\n빠진 것: {what}", "⏰ [{receipt}] The supplement is due {due}.\nMissing: {what}"),
    "sp.push.withdrawn": ("[{receipt}] 담당 부서가 보완 요청을 거두었습니다. 더 보내실 것은 없습니다. 처리 기한: {deadline}",
                          "[{receipt}] The department withdrew its supplement request: nothing more is needed. Deadline: {deadline}"),
    "sp.push.replied": ("✅ [{receipt}] 보완 내용을 보냈습니다. 담당 부서에 전달되었고, 보완에 걸린 기간만큼 늦춘 새 처리 기한은 {deadline}입니다.",
                        "✅ [{receipt}] Supplement sent: it reached the department. New deadline, moved on by the time it took: {deadline}"),
    "sp.push.more_time": ("[{receipt}] 보완 기한을 {due}까지로 늘렸습니다 (남은 연장 요청 {left}회).",
                          "[{receipt}] The supplement is now due {due} ({left} more extension requests left)."),
    "sp.op.replied": ("📨 [{receipt}] 민원인이 보완했습니다 (사진 {photos}장 추가).\n\n{reply}\n\n처리기간이 다시 흐릅니다. 새 기한: {deadline}",
                      "📨 [{receipt}] The resident supplemented ({photos} photos added).\n\n{reply}\n\nThe processing period runs again. New deadline: {deadline}"),
    "sp.op.replied_late": ("📨 [{receipt}] 기한이 지난 뒤 민원인이 보완했습니다 (사진 {photos}장 추가).\n\n{reply}\n\n"
                           "처리 기한은 그대로입니다: {deadline}",
                           "📨 [{receipt}] The resident supplemented after the day had passed ({photos} photos added).\n\n"
                           "{reply}\n\nThe deadline stays: {deadline}"),
    "sp.op.more_time": ("⏳ [{receipt}] 민원인이 보완 기간 연장을 요청해 {days}일 늘렸습니다: {due}까지 (시행령 §24②).",
                        "⏳ [{receipt}] The resident asked for more time: {days} more days, until {due}."),
    "sp.op.expired": ("⌛ [{receipt}] 보완 기한({last})이 지났지만 보완이 없습니다.\n빠진 것: {what}\n"
                      "처리기간이 다시 흐릅니다. 기한: {deadline}\n다시 요청하거나 (시행령 §24③) 반려할 수 있습니다 (§25①).",
                      "⌛ [{receipt}] The supplement was due {last} and has not come.\nMissing: {what}\n"
                      "The processing period runs again. Deadline: {deadline}\nYou may ask again or reject the complaint."),
    "sp.push.expired": ("⌛ [{receipt}] 보완 기한({last})이 지났습니다. 담당 부서는 지금 있는 내용으로 민원을 처리합니다 "
                        "(처리 기한 {deadline}). 반려될 수도 있습니다 (시행령 §25). 아직 보내실 것이 있으면 [보완하기]로 보내 주세요: "
                        "담당자에게 전해 드립니다.",
                        "⌛ [{receipt}] The supplement was due {last}. The department now handles your complaint as it stands "
                        "(deadline {deadline}); it may be returned. If you still have something to send, press [Supplement]: "
                        "it will be passed on."),
    "sp.ask_reply": ("📝 [{receipt}] 보완 내용을 보내 주세요. 글로 적거나 사진을 보내실 수 있습니다 (사진은 {room}장까지, 설명은 사진 캡션으로).\n"
                     "요청 내용: {what}\n/cancel 로 그만둘 수 있습니다.",
                     "📝 [{receipt}] Send your supplement: text, or photos (up to {room}, with a caption).\n"
                     "Asked for: {what}\n/cancel to stop."),
    "sp.reply_preview": ("<b>보완 내용 확인</b> [{receipt}]\n{text}\n사진 {photos}장\n\n이대로 보낼까요? 더 적거나 사진을 더 보내시면 덧붙습니다.",
                         "<b>Your supplement</b> [{receipt}]\n{text}\n{photos} photos\n\nSend it? Anything more you write or send is added."),
    "sp.reply_empty": ("(글 없음)", "(no text)"),
    "sp.guessed": ("[{receipt}] 담당 부서가 보완을 요청해 둔 민원이 있습니다 (빠진 것: {what}). 방금 적으신 글을 보완으로 보낼까요?",
                   "[{receipt}] The department asked you to supplement this complaint (missing: {what}). Send what you just wrote as the supplement?"),
    "sp.btn.as_new": ("아니요, 새 민원입니다", "No, it is a new complaint"),
    "sp.reply_short": ("보낼 내용이 없습니다. 글을 적거나 사진을 보내 주세요.", "Nothing to send yet: write something or send a photo."),
    "sp.reply_long": ("너무 깁니다 ({n}자). 모두 합쳐 {max}자 이내로 보내 주세요. 이번 글은 덧붙이지 않았습니다.",
                      "Too long ({n} characters): at most {max} in all. This message was not added."),
    "sp.photo_no_room": ("사진은 더 붙일 수 없습니다 (민원당 {max}장). 이 사진은 넣지 않았습니다{caption}.",
                         "No room for more photos ({max} per complaint). This photo was not added{caption}."),
    "sp.caption_kept": (" (설명 글은 덧붙였습니다)", " (its caption was added)"),
    "sp.reply_expected": ("보완 내용은 글이나 사진으로 보내 주세요. /cancel 로 그만둘 수 있습니다.",
                          "Please send your supplement as text or photos. /cancel to stop."),
    "sp.reply_cancelled": ("보완 보내기를 그만두었습니다. 기한({due}) 안에 [보완하기]로 다시 보내실 수 있습니다.",
                           "Stopped. You can still supplement by {due} with [Supplement]."),
    "sp.reply_sent_late": ("✅ [{receipt}] 보완 내용을 담당자에게 보냈습니다. 처리 기한: {deadline}",
                           "✅ [{receipt}] Supplement passed on to the officer. Deadline: {deadline}"),
    "sp.reply_cancelled_late": ("보완 보내기를 그만두었습니다. 민원이 처리되기 전이면 [보완하기]로 다시 보내실 수 있습니다.",
                                "Stopped. Until the complaint is decided you may still send it with [Supplement]."),
    "sp.ask_more": ("[{receipt}] 보완 기한은 지금 {due}입니다. 며칠이 더 필요하신가요? (남은 연장 요청 {left}회, 시행령 §24②)",
                    "[{receipt}] The supplement is due {due}. How many more days do you need? ({left} requests left)"),
    "sp.more_limit": ("기간 연장은 {max}회까지만 요청할 수 있습니다 (시행령 §24②).", "More time can be asked at most {max} times."),
    "sp.more_done": ("보완 기한을 {due}까지로 늘렸습니다.", "The supplement is now due {due}."),
    "sp.state": ("📝 보완 요청 — 답해 주세요", "📝 supplement asked — please answer"),
    "sp.status": ("📝 <b>보완 요청</b> [{receipt}] — {due}까지\n빠진 것: {what}\n보완하시는 동안 처리기간은 멈춰 있습니다.",
                  "📝 <b>Supplement requested</b> [{receipt}] — by {due}\nMissing: {what}\nThe processing period stands still meanwhile."),
    "sp.status_expired": ("📝 <b>보완 요청</b> [{receipt}] — 기한이 지났습니다\n빠진 것: {what}\n"
                          "지금 보내셔도 담당자에게 전해 드립니다. 처리기간은 다시 흐르고 있습니다.",
                          "📝 <b>Supplement requested</b> [{receipt}] — its day has passed\nMissing: {what}\n"
                          "You may still send it: it will be passed on. The processing period runs again."),
    "cmd.settings": ("알림 설정 (카드 / 아침 요약)", "notification settings"),
    "cmd.templates": ("답변 템플릿 (부서 공용)", "answer templates (department)"),
    # --- admin --------------------------------------------------------------------------
    "admin.grant_usage": ("사용법: /grant 사용자ID 역할 [부서코드] [이름…]\n역할: officer, head(과장), evaluator, operator, admin\n예: /grant 123456789 officer CLEAN 김민수\n이름을 주지 않으면 동료에게는 텔레그램 이름이 보입니다.",
                          "Usage: /grant user_id role [dept_code] [name…]\nroles: officer, head, evaluator, operator, admin\ne.g. /grant 123456789 officer CLEAN Kim Minsu\nWithout a name, colleagues see their Telegram name."),
    "admin.revoke_usage": ("사용법: /revoke 사용자ID 역할", "Usage: /revoke user_id role"),
    "admin.invite_usage": ("사용법: /invite 역할 [부서코드]  예: /invite officer CLEAN", "Usage: /invite role [dept_code]  e.g. /invite officer CLEAN"),
    "admin.granted": ("{user} 에게 {role}{dept} 역할을 부여했습니다.", "Granted {role}{dept} to {user}."),
    "admin.grant_unchanged": ("{user}: 이미 {role}{dept} 역할이 있습니다. 바뀐 것은 없습니다.",
                              "{user} already has {role}{dept}. Nothing changed."),
    "admin.grant_moved": ("{user} 의 부서를 옮겼습니다. {role}: {old} → {new}\n이제 {new}의 민원을 받고, {old}의 민원은 받지 않습니다.",
                          "Moved {user}. {role}: {old} → {new}\nThey now get {new}'s complaints, no longer {old}'s."),
    "admin.revoked": ("{user} 의 {role} 역할을 회수했습니다.", "Revoked {role} from {user}."),
    "admin.revoke_none": ("{user} 는 {role} 역할이 없습니다.", "{user} does not have the {role} role."),
    "admin.invite_link": ("{role}{dept} 초대 링크 (1회용, {days}일 유효):\n{link}", "Invite link for {role}{dept} (single use, valid {days} days):\n{link}"),
    "admin.departments": ("<b>부서 목록</b>\n{lines}", "<b>Departments</b>\n{lines}"),
    # --- /broadcast (workflows/broadcast.py, handlers/broadcast.py) ---------------------------
    "bc.admins_only": ("/broadcast 는 관리자만 쓸 수 있습니다.", "Only admins can use /broadcast."),
    "bc.private_only": ("/broadcast 는 봇과의 1:1 대화에서 써 주세요.", "Please use /broadcast in your private chat with the bot."),
    "bc.ask_audience": ("📣 <b>공지 보내기</b>\n누구에게 보낼까요? 괄호 안은 지금 받을 수 있는 사람 수입니다 (봇을 차단한 사람은 빠집니다).\n"
                        "주민에게는 서비스 안내만 보낼 수 있습니다: 광고·홍보는 안 됩니다 (정보통신망법 §50).\n/cancel 로 그만둘 수 있습니다.",
                        "📣 <b>Send a notice</b>\nTo whom? In brackets: how many can receive it now (people who blocked the bot are left out).\n"
                        "Residents may get service notices only: no advertising or promotion (Information and Communications Network Act §50).\n/cancel to stop."),
    "bc.btn.staff": ("전체 직원 ({n}명)", "All staff ({n})"),
    "bc.btn.residents": ("동의한 주민 전체 ({n}명)", "All consenting residents ({n})"),
    "bc.btn.departments": ("부서 담당자·과장 고르기", "One department's officers and head"),
    "bc.ask_department": ("어느 부서의 담당자·과장에게 보낼까요? (괄호 안은 받을 수 있는 사람 수)",
                          "Which department's officers and head? (in brackets: how many can receive it)"),
    "bc.aud.staff": ("전체 직원", "all staff"),
    "bc.aud.residents": ("동의한 주민 전체", "all consenting residents"),
    "bc.aud.department": ("{department} 담당자·과장", "{department}'s officers and head"),
    "bc.nobody": ("{audience}: 지금 받을 수 있는 사람이 없습니다. 다른 대상을 골라 주세요.",
                  "{audience}: nobody can receive it now. Please choose another audience."),
    "bc.ask_text": ("받는 사람: <b>{audience}</b> {n}명\n보낼 글을 적어 주세요 (4,096자까지). 사진 한 장에 설명(1,024자까지)을 붙여 보내도 됩니다. "
                    "글은 적은 그대로 나갑니다 (서식 없음).",
                    "To: <b>{audience}</b>, {n} people\nType the text to send (up to 4,096 characters), or send one photo with a caption (up to 1,024). "
                    "The text goes out exactly as typed (no formatting)."),
    "bc.ask_text_residents": ("⚠️ 주민에게는 서비스 안내(운영 시간 변경, 서비스 중단·재개, 새 서비스 등)만 보낼 수 있습니다. "
                              "광고·홍보성 내용은 보내지 마세요 (정보통신망법 §50: 별도 수신 동의가 필요합니다).",
                              "⚠️ Residents may get service notices only (changed hours, an outage, a new service …). "
                              "Do not send advertising or promotion (Information and Communications Network Act §50 requires a separate opt-in)."),
    "bc.err.empty": ("보낼 글이 비어 있습니다. 글을 적거나 사진을 보내 주세요.", "There is nothing to send. Type a text or send a photo."),
    "bc.err.too_long": ("글이 너무 깁니다: {n}자 (최대 {max}자). 줄여서 다시 보내 주세요.",
                        "The text is too long: {n} characters (at most {max}). Please shorten it and send it again."),
    "bc.err.caption_too_long": ("사진 설명이 너무 깁니다: {n}자 (최대 {max}자). 줄이거나 사진 없이 글로 보내 주세요.",
                                "The caption is too long: {n} characters (at most {max}). Shorten it, or send it as text without the photo."),
    "bc.err.nobody": ("지금 받을 수 있는 사람이 없어 보내지 않았습니다.", "Nobody can receive it now, so nothing was sent."),
    "bc.text_or_photo": ("글이나 사진 한 장을 보내 주세요 (스티커·파일·음성은 보낼 수 없습니다). /cancel 로 그만둘 수 있습니다.",
                         "Please send a text or one photo (stickers, files and voice messages cannot be sent). /cancel to stop."),
    "bc.one_photo": ("사진은 한 장만 보낼 수 있습니다: 미리보기의 사진 한 장만 나갑니다. 바꾸려면 ‘다시 쓰기’를 누르세요.",
                     "Only one photo can be sent: the one in the preview. To change it, press ‘Rewrite’."),
    "bc.preview_head": ("👇 받는 사람에게 보일 그대로입니다:", "👇 Exactly as the recipients will see it:"),
    "bc.confirm": ("위 내용을 <b>{audience}</b> {n}명에게 보낼까요?", "Send the above to <b>{audience}</b>, {n} people?"),
    "bc.btn.send": ("보내기", "Send"),
    "bc.btn.rewrite": ("다시 쓰기", "Rewrite"),
    "bc.btn.cancel": ("취소", "Cancel"),
    "bc.btn.report": ("전달 결과 보기", "Delivery report"),
    "bc.cancelled": ("공지를 보내지 않았습니다.", "The notice was not sent."),
    "bc.queued": ("📣 <b>{audience}</b> {n}명에게 보내는 중입니다. 텔레그램 한도에 맞춰 차례로 나갑니다. 결과는 아래 버튼으로 볼 수 있습니다.",
                  "📣 Sending to <b>{audience}</b>, {n} people, in turn within Telegram's limits. See the outcome with the button below."),
    "bc.report": ("📮 <b>공지 전달 결과</b> ({at})\n대상 {total}명 · 보냄 {sent} · 차단 {blocked} · 실패 {failed} · 대기 {pending}",
                  "📮 <b>Notice delivery report</b> ({at})\n{total} recipients · sent {sent} · blocked {blocked} · failed {failed} · pending {pending}"),
    "bc.report_none": ("이 공지의 전달 기록이 없습니다.", "There is no delivery record of this notice."),
    # --- the audit log (workflows/audit.py, handlers/audit.py) --------------------------------
    "audit.usage": ("사용법: /audit [일수] — 최근 며칠 동안의 감사 로그를 엑셀 파일로 받습니다. 일수는 1~366, 생략하면 30일입니다. 예: /audit 7",
                    "Usage: /audit [days] — the audit log of the last days as a spreadsheet. Days 1–366, 30 if left out. Example: /audit 7"),
    "audit.summary": ("<b>감사 로그</b> 최근 {days}일 ({since} ~ {until})\n총 {total}건\n{lines}",
                      "<b>Audit log</b>, last {days} days ({since} – {until})\n{total} entries\n{lines}"),
    "audit.summary_line": ("• {label} <code>{action}</code>: {n}건", "• {label} <code>{action}</code>: {n}"),
    "audit.none": ("(기록 없음)", "(nothing recorded)"),
    "audit.truncated": ("\n⚠️ 건수가 많아 파일에는 최근 {n}건만 담았습니다. 기간을 줄여 나누어 받아 주세요.",
                        "\n⚠️ Too many entries: the file holds the newest {n}. Ask for shorter periods to get the rest."),
    "audit.caption": ("감사 로그 {since} ~ {until} ({n}건). 접수번호·역할·부서코드·건수만 기록하며 전화번호·이름·내용은 담지 않습니다. 이 내보내기도 기록됩니다.",
                      "Audit log {since} – {until} ({n} entries). Receipt numbers, roles, department codes and counts only; no phone numbers, names or texts. This export is recorded too."),
    "audit.sheet.log": ("감사 로그", "Audit log"),
    "audit.sheet.summary": ("요약", "Summary"),
    "audit.sheet.columns": ("번호|일시|행위자 ID|행위자 역할|행위|행위 설명|대상 종류|대상|세부",
                            "No|Time|Actor id|Actor role|Action|Description|Subject kind|Subject|Detail"),
    "audit.sheet.summary_columns": ("행위|설명|건수", "Action|Description|Entries"),
    "audit.label.role_grant": ("역할 부여", "role granted"),
    "audit.label.role_revoke": ("역할 회수", "role revoked"),
    "audit.label.invite_create": ("초대 링크 생성", "invite link made"),
    "audit.label.invite_redeem": ("초대 링크로 역할 받음", "role taken through an invite"),
    "audit.label.complaint_view": ("민원 카드 열람 (연락처 포함)", "complaint card viewed (with the phone)"),
    "audit.label.complaint_media": ("민원 사진·위치 열람", "complaint photos and place viewed"),
    "audit.label.complaint_take": ("민원 접수 (담당)", "complaint taken"),
    "audit.label.complaint_answer": ("민원 답변", "complaint answered"),
    "audit.label.complaint_transfer": ("민원 이송", "complaint transferred"),
    "audit.label.complaint_reject": ("민원 반려", "complaint rejected"),
    "audit.label.complaint_extend": ("민원 기한 연장", "complaint deadline extended"),
    "audit.label.onestop_view": ("원스톱 신청 열람", "one-stop request viewed"),
    "audit.label.onestop_contact": ("원스톱 가족 연락처 열람", "one-stop family contact viewed"),
    "audit.label.onestop_take": ("원스톱 접수", "one-stop request received"),
    "audit.label.onestop_complete": ("원스톱 처리완료", "one-stop request done"),
    "audit.label.onestop_supplement": ("원스톱 보완요청", "one-stop: more asked of the family"),
    "audit.label.tax_view": ("등록면허세 고지 열람", "licence tax notice viewed"),
    "audit.label.tax_action": ("등록면허세 담당자 처리", "licence tax officer action"),
    "audit.label.report_export": ("지표 보고서 내려받기 (평가단)", "indicator report exported (evaluator)"),
    "audit.label.report_send": ("월간 지표 보고서 발송", "monthly indicator report sent"),
    "audit.label.food_import": ("음식점 인허가 자료 가져오기", "restaurant licence export imported"),
    "audit.label.audit_export": ("감사 로그 내보내기", "audit log exported"),
    "audit.label.broadcast_send": ("공지 발송 (/broadcast)", "notice sent (/broadcast)"),
    # retention (workflows/retention.py) and the resident's own data (workflows/privacy.py)
    "audit.label.retention_contact": ("보유 기간 경과: 연락처 파기", "retention: contact phones deleted"),
    "audit.label.retention_complaint": ("보유 기간 경과: 민원 익명 처리", "retention: complaints anonymised"),
    "audit.label.retention_onestop": ("보유 기간 경과: 원스톱 신청 익명 처리", "retention: one-stop applications anonymised"),
    "audit.label.retention_opinion": ("보유 기간 경과: 소통 Day 의견 삭제", "retention: opinions deleted"),
    "audit.label.retention_outbox": ("보유 기간 경과: 보낸 메시지 삭제", "retention: sent messages deleted"),
    "audit.label.retention_forms": ("보유 기간 경과: 작성하다 그만둔 입력 삭제", "retention: abandoned forms deleted"),
    "audit.label.retention_taxpayer_name": ("보유 기간 경과: 납세자 이름 파기", "retention: taxpayer names deleted"),
    "audit.label.retention_tax_record": ("보유 기간 경과: 세무 기록 익명 처리", "retention: tax records anonymised"),
    "audit.label.privacy_view": ("본인 정보 열람", "own data viewed by the resident"),
    "audit.label.privacy_withdraw_complaint": ("본인 삭제 요청: 민원 취하", "deletion: complaint withdrawn"),
    "audit.label.privacy_close_complaint": ("본인 삭제 요청: 답변된 민원 종결", "deletion: answered complaint closed"),
    "audit.label.privacy_anonymise_complaint": ("본인 삭제 요청: 민원 익명 처리", "deletion: complaint anonymised"),
    "audit.label.privacy_withdraw_onestop": ("본인 삭제 요청: 원스톱 신청 취하", "deletion: one-stop application withdrawn"),
    "audit.label.privacy_anonymise_onestop": ("본인 삭제 요청: 원스톱 신청 익명 처리", "deletion: one-stop application anonymised"),
    "audit.label.privacy_cancel_tax_notice": ("본인 삭제 요청: 미납 고지 취소", "deletion: unpaid tax notice cancelled"),
    "audit.label.privacy_anonymise_tax_notice": ("본인 삭제 요청: 취소된 고지 익명 처리", "deletion: cancelled tax notice anonymised"),
    "audit.label.privacy_delete_taxpayer_name": ("본인 삭제 요청: 납세자 이름 삭제 (납부 기록 보관)",
                                                 "deletion: taxpayer name deleted (payment record kept)"),
    "audit.label.privacy_unsubscribe": ("본인 삭제 요청: 알림·구독 해지", "deletion: subscriptions ended"),
    "audit.label.privacy_withdraw_consents": ("본인 삭제 요청: 동의 철회", "deletion: consents withdrawn"),
    "audit.label.privacy_clear_forms": ("본인 삭제 요청: 작성 중인 입력 삭제", "deletion: forms cleared"),
    "audit.label.privacy_forget_messages": ("본인 삭제 요청: 메시지 취소·삭제", "deletion: messages cancelled and deleted"),
    "audit.label.privacy_delete": ("본인 정보 삭제 완료", "resident's data deleted"),
    # --- files sent to the bot (workflows/attachments.py, handlers/media.py) ----------------------
    "attach.refused": ("이 형식({what})은 받을 수 없습니다. 사진(JPEG·PNG·WebP·HEIC, {mb}MB 이하)을 보내 주세요.",
                       "A {what} cannot be accepted. Please send a photo (JPEG, PNG, WebP or HEIC, up to {mb} MB)."),
    "attach.too_big": ("파일이 너무 큽니다 ({size}MB). 사진은 {mb}MB 이하만 받습니다.",
                       "The file is too big ({size} MB). Photos are accepted up to {mb} MB."),
    "attach.not_image": ("이 파일은 이름과 달리 이미지가 아닙니다. 사진(JPEG·PNG·WebP·HEIC)을 보내 주세요.",
                         "This file is not an image, whatever its name says. Please send a photo (JPEG, PNG, WebP or HEIC)."),
    "attach.download_failed": ("파일을 받지 못했습니다. 잠시 후 다시 보내 주세요.", "We could not fetch the file. Please send it again shortly."),
    "attach.convert_failed": ("이 이미지는 사진으로 바꿀 수 없습니다. 휴대폰 앨범에서 '사진'으로 보내 주세요 (파일로 보내지 말고).",
                              "This image could not be turned into a photo. Please send it from your gallery as a photo, not as a file."),
    "attach.converted": ("파일로 보내신 이미지를 사진으로 바꿔 받았습니다.", "The image you sent as a file was taken as a photo."),
    "attach.kind.video": ("동영상", "video"),
    "attach.kind.animation": ("움직이는 이미지(GIF)", "GIF animation"),
    "attach.kind.video_note": ("동영상 메시지", "video message"),
    "attach.kind.voice": ("음성 메시지", "voice message"),
    "attach.kind.audio": ("오디오 파일", "audio file"),
    "attach.kind.sticker": ("스티커", "sticker"),
    "attach.kind.file": ("{ext} 파일", "{ext} file"),
    "attach.kind.unnamed_file": ("이름 없는 파일", "file without a name"),
    "role.unknown_role": ("알 수 없는 역할입니다: {role}. officer, head, evaluator, operator, admin 중 하나를 쓰세요.",
                          "Unknown role {role}: use officer, head, evaluator, operator or admin."),
    "role.need_department": ("담당자(officer)와 과장(head)은 부서코드가 필요합니다. /departments 로 코드를 확인하세요.",
                             "An officer or head needs a department code; see /departments."),
    "role.unknown_department": ("없는 부서코드입니다: {dept}. /departments 로 확인하세요.", "No department {dept}; see /departments."),
    "invite.unknown": ("유효하지 않은 초대 링크입니다.", "This invite link is not valid."),
    "invite.used": ("이미 사용된 초대 링크입니다. 관리자에게 새 링크를 요청하세요.", "This invite link was already used. Ask for a new one."),
    "invite.expired": ("만료된 초대 링크입니다. 관리자에게 새 링크를 요청하세요.", "This invite link has expired. Ask for a new one."),
    "invite.welcome": ("{role}{dept} 역할이 부여되었습니다. /help 에서 쓸 수 있는 명령을 확인하세요.", "You now have the {role}{dept} role. See /help."),
    "role.name.officer": ("담당자", "officer"),
    "role.name.head": ("과장", "head of department"),
    "role.name.evaluator": ("평가단", "evaluator"),
    "role.name.operator": ("음식점 영업자", "restaurant operator"),
    "role.name.admin": ("관리자", "admin"),
    # --- food-poisoning alerts (issue 6, /foodalert) ------------------------------------------
    "food.intro": (
        "<b>식중독 예방 알림</b>\n식중독 위험 시기({season})에 매일 아침, 국민건강보험공단의 식중독 예측이 "
        "<b>{threshold}</b> 단계 이상이면 등급과 오늘 지킬 위생 수칙을 보내 드립니다. 구 위생과의 식중독 발생 알림도 받습니다.\n\n"
        "• 수집 항목: 업소명, 업종, 동, 텔레그램 사용자 번호\n• 목적: 식중독 예방 알림과 발생 알림 발송\n"
        "• 보유 기간: 알림을 중지하면 즉시 삭제\n• 등록하지 않을 수 있으며, 그래도 불이익은 없습니다.",
        "<b>Food-poisoning alerts</b>\nIn the risk season ({season}), every morning the NHIS food-poisoning forecast is "
        "<b>{threshold}</b> or higher, we send you the grade and today's hygiene checklist, plus outbreak notices from the "
        "district's Food Hygiene Division.\n\n"
        "• Items: business name, type, dong, your Telegram user number\n• Purpose: sending these alerts and notices\n"
        "• Retention: deleted as soon as you stop the alerts\n• You may decline without any disadvantage."),
    "food.btn.join": ("✅ 업소 등록하기", "✅ Register my business"),
    "food.ask_name": ("업소명(상호)을 적어 주세요 (2~60자). /cancel 로 취소.",
                      "Type your business name (2-60 characters). /cancel to stop."),
    "food.name.short": ("업소명이 너무 짧습니다. 2자 이상 적어 주세요.", "That name is too short; use at least 2 characters."),
    "food.name.long": ("업소명이 너무 깁니다. 60자 이내로 적어 주세요.", "That name is too long; use at most 60 characters."),
    "food.name.rrn": ("주민등록번호로 보이는 숫자는 받지 않습니다. 업소명만 적어 주세요.",
                      "That looks like a resident registration number, which we never take. Type the business name only."),
    "food.name.text_only": ("업소명을 글자로 적어 주세요.", "Please type the business name as text."),
    "food.ask_type": ("업종을 골라 주세요.", "Choose your type of business."),
    "food.ask_dong": ("업소가 있는 동을 골라 주세요.", "Choose the dong your business is in."),
    "food.confirm": ("<b>등록 내용 확인</b>\n업소명: {name}\n업종: {type}\n동: {dong}\n\n이대로 알림을 받을까요?",
                     "<b>Please check</b>\nBusiness: {name}\nType: {type}\nDong: {dong}\n\nStart the alerts with these details?"),
    "food.btn.save": ("✅ 알림 받기", "✅ Start alerts"),
    "food.btn.redo": ("✏️ 다시 입력", "✏️ Start over"),
    "food.btn.quit": ("✖️ 취소", "✖️ Cancel"),
    "food.registered": ("등록되었습니다. {season} 매일 아침 식중독 예측이 {threshold} 단계 이상이면 알려 드립니다. 바꾸거나 중지하려면 /foodalert",
                        "Registered. In {season}, every morning the forecast is {threshold} or higher, we will alert you. To change or stop: /foodalert"),
    "food.cancelled": ("등록을 취소했습니다. 입력하신 내용은 저장하지 않았습니다.", "Cancelled; nothing you typed was saved."),
    "food.status": ("<b>식중독 예방 알림 — 등록됨</b>\n업소명: {name}\n업종: {type}\n동: {dong}\n\n"
                    "{season} 매일 아침 식중독 예측이 {threshold} 단계 이상이면 알려 드립니다.",
                    "<b>Food-poisoning alerts — registered</b>\nBusiness: {name}\nType: {type}\nDong: {dong}\n\n"
                    "In {season}, you get an alert every morning the forecast is {threshold} or higher."),
    "food.dong_none": ("미지정 (동별 발생 알림을 받으려면 골라 주세요)", "not set (choose one to get notices for your dong)"),
    "food.btn.edit_name": ("업소명 변경", "Change name"),
    "food.btn.edit_type": ("업종 변경", "Change type"),
    "food.btn.edit_dong": ("동 변경", "Change dong"),
    "food.btn.stop": ("🔕 알림 중지", "🔕 Stop alerts"),
    "food.changed": ("변경했습니다.", "Changed."),
    "food.stop_confirm": ("알림을 중지하면 등록 정보(업소명·업종·동)가 바로 삭제됩니다. 중지할까요?",
                          "Stopping deletes your registration (name, type, dong) at once. Stop the alerts?"),
    "food.btn.stop_yes": ("중지하기", "Stop"),
    "food.btn.stop_no": ("계속 받기", "Keep them"),
    "food.stopped": ("알림을 중지하고 등록 정보를 삭제했습니다. 다시 받으려면 /foodalert", "Alerts stopped and your registration deleted. To start again: /foodalert"),
    "food.kept": ("알림을 계속 보내 드립니다.", "Your alerts continue."),
    "food.not_registered": ("등록된 업소가 없습니다. /foodalert 로 등록해 주세요.", "No business is registered. Use /foodalert to register."),
    "food.alert.title": ("{emoji} <b>오늘의 식중독 예측: {grade}</b>\n{day} · {district}",
                         "{emoji} <b>Today's food-poisoning forecast: {grade}</b>\n{day} · {district}"),
    "food.alert.update": ("{emoji} <b>식중독 예측 변경: {previous} → {grade}</b>\n{day} · {district}",
                          "{emoji} <b>Food-poisoning forecast changed: {previous} → {grade}</b>\n{day} · {district}"),
    "food.alert.guidance": ("국민건강보험공단 안내: {text}", "NHIS guidance: {text}"),
    "food.alert.checklist": ("<b>오늘 꼭 지킬 수칙</b>\n{items}", "<b>Today's checklist</b>\n{items}"),
    "food.alert.footer": ("알림 변경·중지: /foodalert", "Change or stop these alerts: /foodalert"),
    "food.fetch_failed": ("⚠️ {day} 식중독 예측을 {deadline}까지 받지 못해 영업자에게 오늘 알림을 보내지 않았습니다 (원인: {reason}). "
                          "필요하면 /foodalert 에서 발생 알림을 보내 주세요.",
                          "⚠️ The food-poisoning forecast for {day} could not be fetched by {deadline}, so no alert went to the "
                          "operators today (reason: {reason}). If needed, send a notice from /foodalert."),
    "food.staff": ("<b>식중독 예방 알림 관리</b>\n등록 영업자: {active}곳 · 초대 대기: {invited}곳\n오늘 예측: {today}",
                   "<b>Food-poisoning alerts (staff)</b>\nRegistered operators: {active} · invitations pending: {invited}\nToday's forecast: {today}"),
    "food.staff.today": ("{emoji} {grade} ({at} 수신)", "{emoji} {grade} (fetched {at})"),
    "food.staff.today_none": ("아직 없음", "none yet"),
    "food.staff.off_season": ("알림 시기 아님 ({season})", "out of season ({season})"),
    "food.staff.csv_hint": ("\n\n일반음식점 인허가 CSV(사업장명, 소재지, 업태구분명, 영업상태명 열)를 이 대화창에 보내면 영업 중인 업소마다 초대 링크를 만들어 드립니다.",
                            "\n\nSend the restaurant licence CSV (columns 사업장명, 소재지, 업태구분명, 영업상태명) here to create an invite link for each open business."),
    "food.btn.notice": ("📣 발생 알림 보내기", "📣 Send an outbreak notice"),
    "food.btn.invite": ("🔗 영업자 초대 링크", "🔗 Operator invite link"),
    "food.notice.audience": ("누구에게 보낼까요?", "Who should get it?"),
    "food.notice.all": ("전체 영업자", "All operators"),
    "food.notice.by_dong": ("동별", "By dong"),
    "food.notice.by_type": ("업종별", "By type"),
    "food.notice.pick_dong": ("동을 골라 주세요.", "Choose the dong."),
    "food.notice.pick_type": ("업종을 골라 주세요.", "Choose the type of business."),
    "food.notice.ask_text": ("받는 곳: {audience} ({n}곳)\n알림 내용을 적어 주세요 (10~2,000자). /cancel 로 취소.",
                             "Recipients: {audience} ({n})\nType the notice (10-2,000 characters). /cancel to stop."),
    "food.notice.short": ("너무 짧습니다. 10자 이상 적어 주세요.", "Too short; use at least 10 characters."),
    "food.notice.long": ("너무 깁니다. 2,000자 이내로 적어 주세요.", "Too long; use at most 2,000 characters."),
    "food.notice.text_only": ("알림 내용을 글자로 적어 주세요.", "Please type the notice as text."),
    "food.notice.nobody": ("받을 영업자가 없습니다 ({audience}). 다른 대상을 골라 주세요.", "No operator matches ({audience}). Choose other recipients."),
    "food.notice.preview": ("<b>발생 알림 미리보기</b> — 받는 곳: {audience} ({n}곳)\n\n{message}\n\n이대로 보낼까요?",
                            "<b>Notice preview</b> — recipients: {audience} ({n})\n\n{message}\n\nSend it like this?"),
    "food.notice.message": ("📣 <b>{department} 식중독 발생 알림</b>\n{text}\n\n문의: {department} {phone}",
                            "📣 <b>Food-poisoning notice from the {department}</b>\n{text}\n\nQuestions: {department} {phone}"),
    "food.notice.sent": ("발생 알림을 {n}곳에 보내고 있습니다.", "The notice is on its way to {n} operators."),
    "food.notice.cancelled": ("발생 알림을 취소했습니다. 보내지 않았습니다.", "Notice cancelled; nothing was sent."),
    "food.btn.send": ("보내기", "Send"),
    "food.btn.rewrite": ("다시 쓰기", "Rewrite"),
    "food.csv.working": ("CSV 파일을 읽고 있습니다…", "Reading the CSV file…"),
    "food.csv.done": ("가져오기 완료: 새 초대 {created}곳, 이미 가져온 업소 {already}곳, 건너뜀 — 영업 중 아님 {closed}, 업소명 없음 {no_name}, 중복 {duplicate}. "
                      "동을 주소에서 찾지 못한 곳: {no_dong}곳 (등록 후 영업자가 고를 수 있습니다).",
                      "Import done: {created} new invitations, {already} imported before; skipped — not open {closed}, no name {no_name}, "
                      "repeated {duplicate}. No dong found in the address: {no_dong} (the operator can choose one later)."),
    "food.csv.file_caption": ("업소별 1회용 초대 링크입니다 ({days}일 유효). 인쇄하거나 QR 코드로 만들어 위생교육 때 나눠 주세요.",
                              "One single-use invite link per business (valid {days} days). Print them or turn them into QR codes for the hygiene training."),
    "food.csv.too_big": ("파일이 너무 큽니다 ({mb}MB 이하만 받습니다).", "The file is too big (at most {mb} MB)."),
    "food.csv.encoding": ("파일을 읽을 수 없습니다. UTF-8 또는 CP949(EUC-KR) CSV로 보내 주세요.", "Cannot read the file: send a UTF-8 or CP949 (EUC-KR) CSV."),
    "food.csv.empty": ("CSV에 내용이 없습니다.", "The CSV is empty."),
    "food.csv.missing_columns": ("필요한 열이 없습니다: {columns}. 일반음식점 인허가 내보내기 파일인지 확인해 주세요.",
                                 "Missing columns: {columns}. Is this the restaurant licence export?"),
    "food.csv.too_many_rows": ("행이 너무 많습니다 (최대 {max}행). 나누어 보내 주세요.", "Too many rows (at most {max}); split the file."),
    "food.csv.malformed": ("CSV 형식이 올바르지 않습니다.", "The CSV is malformed."),
    "food.csv.download_failed": ("파일을 받지 못했습니다. 잠시 후 다시 보내 주세요.", "Could not download the file; please send it again shortly."),
    # --- indicators: /report, /ranking (issue 8) -----------------------------------------
    "report.usage": ("사용법: /report [기간]\n기간 없이 쓰면 지난달 보고서입니다.\n"
                     "• week · month · quarter · year (주 · 월 · 분기 · 연): 지난주(월~일) · 지난달 · 지난 분기 · 작년\n"
                     "• 이번주 · 이번달 · 이번분기 · 올해: 진행 중인 기간의 지금까지\n"
                     "• 2026-10 · 2026-Q3 · 2026-W45 · 2025: 그 기간\n예: /report 2026-10",
                     "Usage: /report [period]\nWithout a period: last month.\n"
                     "• week · month · quarter · year: the last complete week (Monday–Sunday), month, quarter, year\n"
                     "• 이번주 · 이번달 · 이번분기 · 올해: the period still running, so far\n"
                     "• 2026-10 · 2026-Q3 · 2026-W45 · 2025: that period\ne.g. /report 2026-10"),
    "report.future": ("아직 시작하지 않은 기간입니다: {period}", "That period has not started yet: {period}"),
    "report.working": ("{period} 보고서를 만드는 중입니다…", "Preparing the report for {period}…"),
    "report.title": ("📊 <b>{district} 민원 지표 — {period}</b>", "📊 <b>{district} complaint indicators — {period}</b>"),
    "report.smile": ("😊 만족도 {mean}점 (평가 {rated}건, 4–5점 {top}, 응답률 {rr})\n   전기 대비 {d_prev} · 전년 동기 대비 {d_year}",
                     "😊 Satisfaction {mean} ({rated} ratings, 4–5: {top}, response rate {rr})\n   vs previous period {d_prev} · vs a year earlier {d_year}"),
    "report.speed": ("⏱ 처리 시간(근무시간) 중앙값 {median} · 90% {p90} · 기한 내 {on_time} ({d_ot_prev}) · 기한 초과 {overdue}건 · 연장 {ext}건\n   중앙값 전기 대비 {d_prev} · 전년 동기 대비 {d_year}",
                     "⏱ Processing time (business hours) median {median} · 90th pct {p90} · on time {on_time} ({d_ot_prev}) · overdue {overdue} · extended {ext}\n   median vs previous period {d_prev} · vs a year earlier {d_year}"),
    "report.flow": ("🔁 이송 {transfers}건 (이송까지 평균 {hours}근무시간) · 재개 비율 {reopen} · 첫 접촉 해결 {fcr}",
                    "🔁 Transfers {transfers} ({hours} business hours on average before the transfer) · reopen rate {reopen} · first-contact resolution {fcr}"),
    "report.volume": ("📥 접수 {received}건 · 반복 민원 장소 {hotspots}곳", "📥 Received {received} · recurring-complaint places {hotspots}"),
    "report.onestop": ("🧩 원스톱 세부 신청 처리 {done}건 ({offices}개 기관) · 신청부터 처리까지 중앙값 {median}근무시간",
                       "🧩 One-stop sub-requests completed {done} ({offices} offices) · median {median} business hours from application"),
    "report.onestop_rating": ("🧩 원스톱 만족도 {mean}점 ({rated}건, 처리 부서 직원의 평가 제외)",
                              "🧩 One-stop satisfaction {mean} ({rated} ratings, none by the offices' own staff)"),
    "report.opinion": ("🗣 소통 Day {topics}회 · 의견 {opinions}건 · 분석 공개 평균 {analysis}일 · 정책 답변 평균 {answer}일 · 기한 준수 {on_time}",
                       "🗣 Opinion days {topics} · {opinions} opinions · analysis after {analysis} days · policy answer after {answer} days on average · deadlines met {on_time}"),
    "report.dept_head": ("<b>부서별</b> (만족도 · 평가 수 · 기한 내 · 기한 초과)", "<b>By department</b> (rating · ratings · on time · overdue)"),
    "report.dept_line": ("• {department}: {mean} · {rated}건 · {on_time} · {overdue}건", "• {department}: {mean} · {rated} · {on_time} · {overdue}"),
    "report.dept_small_head": ("<i>표본 적음 — 평가 {min}건 미만, 순위 없이 참고로만</i>",
                               "<i>Small samples — fewer than {min} ratings, for reference, not ranked</i>"),
    "report.hotspot_line": ("📍 반복: {category} — {place} ({count}회)", "📍 Recurring: {category} — {place} ({count} times)"),
    "report.best": ("🏆 Best Office: {department} (보정 점수 {score}, 평가 {n}건)", "🏆 Best Office: {department} (adjusted score {score}, {n} ratings)"),
    "report.best_none": ("🏆 Best Office: 평가가 {min}건 이상인 부서가 없습니다.", "🏆 Best Office: no department has {min} or more ratings."),
    "report.chart_caption": ("{period} 부서별 만족도·기한 내 처리율과 최근 12개월 추이", "{period}: rating and on-time rate by department, and the 12-month trend"),
    "report.xlsx_caption": ("{period} 지표 상세 (지표별 시트와 익명 처리한 평가 원자료)", "{period} indicators in detail (one sheet per group, anonymised raw ratings)"),
    "report.period": ("{name} ({range})", "{name} ({range})"),
    "report.period_name.week": ("{year}년 {week}주", "Week {week} of {year}"),
    "report.period_name.month": ("{year}년 {month}", "{month} {year}"),
    "report.period_name.quarter": ("{year}년 {quarter}분기", "Q{quarter} {year}"),
    "report.period_name.year": ("{year}년", "{year}"),
    "report.months": ("1월|2월|3월|4월|5월|6월|7월|8월|9월|10월|11월|12월", "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"),
    "report.months_long": ("1월|2월|3월|4월|5월|6월|7월|8월|9월|10월|11월|12월",
                           "January|February|March|April|May|June|July|August|September|October|November|December"),
    "report.range.one_day": ("{month} {d1}일", "{d1} {month}"),
    "report.range.same_month": ("{month} {d1}일~{d2}일", "{d1}–{d2} {month}"),
    "report.range.same_year": ("{m1} {d1}일~{m2} {d2}일", "{d1} {m1} – {d2} {m2}"),
    "report.range.other_year": ("{y1}년 {m1} {d1}일~{y2}년 {m2} {d2}일", "{d1} {m1} {y1} – {d2} {m2} {y2}"),
    "report.range.running": ("{range}, 집계 중", "{range}, so far"),
    "report.small_sample": ("표본 적음 (n={n})", "small sample (n={n})"),
    # the chart (PNG) and the spreadsheet (XLSX): Korean for the evaluation team (rendered in "ko")
    "report.chart.title": ("{district} 민원 지표 — {period}", "{district}: complaint indicators — {period}"),
    "report.chart.smile_title": ("부서별 평균 만족도 (1~5점)", "Mean rating by department (1–5)"),
    "report.chart.smile_axis": ("평균 만족도 (1~5점)", "mean rating (1–5)"),
    "report.chart.smile_label": ("{mean}점 (n={n})", "{mean} (n={n})"),
    "report.chart.smile_small": ("{mean}점 · 표본 적음 (n={n})", "{mean} · small sample (n={n})"),
    "report.chart.smile_none": ("평가 없음", "no ratings"),
    "report.chart.district_mean": ("구 전체 평균 {mean}점", "district mean {mean}"),
    "report.chart.speed_title": ("부서별 법정 기한 내 처리율", "Answered within the statutory deadline, by department"),
    "report.chart.speed_axis": ("기한 내 처리 (%)", "on time (%)"),
    "report.chart.speed_label": ("{rate} (답변 {n}건)", "{rate} ({n} answered)"),
    "report.chart.speed_small": ("{rate} · 표본 적음 (답변 {n}건)", "{rate} · small sample ({n} answered)"),
    "report.chart.speed_none": ("답변 없음", "none answered"),
    "report.chart.small_legend": ("표본 적음: {min}건 미만, 순위 제외", "small sample: fewer than {min}, not ranked"),
    "report.chart.no_data": ("이 기간에는 자료가 없습니다", "no data in this period"),
    "report.chart.trend_title": ("구 전체 추이 (최근 {months}개월)", "District trend (last {months} months)"),
    "report.chart.trend_mean": ("평균 만족도", "mean rating"),
    "report.chart.trend_on_time": ("기한 내 처리율", "on-time rate"),
    "report.xlsx.sheets": ("요약|만족도|처리 속도|이송·재개|접수량|반복 민원|원스톱·소통 Day|부서 순위|월별 추이|평가 원자료",
                           "Summary|Satisfaction|Speed|Transfers and reopens|Volume|Recurring|One-stop and opinion days|Ranking|Trend|Ratings (raw)"),
    "report.xlsx.indicator": ("지표", "Indicator"),
    "report.xlsx.vs": ("{period} 대비", "change vs {period}"),
    "report.xlsx.metric_in": ("{name}, {period}", "{name}, {period}"),
    "report.xlsx.metric_vs": ("{name}, {period} 대비", "{name}, change vs {period}"),
    "report.xlsx.summary_rows": (
        "기간|작성 시각|평균 만족도 (1~5점)|평가 수|4~5점 비율|설문 응답률|답변|처리 시간 중앙값 (근무시간)|처리 시간 90% (근무시간)"
        "|기한 내 처리율|기한 초과|기한 연장|이송|이송 전 근무시간 합계|재개 비율|첫 접촉 해결률|접수|반복 민원 장소|표본 적음 기준 (건 미만)",
        "Period|Generated|Mean rating (1–5)|Ratings|Share 4–5|Response rate|Answered|Median processing time (business hours)"
        "|90th percentile processing time (business hours)|On-time rate|Overdue|Extensions|Transfers"
        "|Business hours before transfers|Reopen rate|First-contact resolution|Received|Recurring places|Small sample below"),
    "report.xlsx.level_cols": ("구분|부서|담당자|표본", "Level|Department|Officer|Sample"),
    "report.xlsx.levels": ("구 전체|부서|담당자", "District|Department|Officer"),
    "report.xlsx.smile_cols": ("설문 발송|응답|응답률|평가 수|평균|{items}|4~5점 비율|1점|2점|3점|4점|5점",
                               "Surveys sent|Responses|Response rate|Ratings|Mean|{items}|Share 4–5|1|2|3|4|5"),
    "report.xlsx.mean": ("평균", "Mean"),
    "report.xlsx.answered": ("답변", "Answered"),
    "report.xlsx.speed_metrics": ("처리 시간 중앙값 (근무시간)|처리 시간 90% (근무시간)|기한 내 처리율|기한 초과|기한 연장",
                                  "Median hours|90th percentile hours|On-time rate|Overdue|Extensions"),
    "report.xlsx.flow_cols": ("이송|이송 전 근무시간 합계|이송 1건당 근무시간|답변|재개|재개 비율|종결|첫 접촉 해결|첫 접촉 해결률",
                              "Transfers|Business hours before transfers|Hours per transfer|Answers|Reopens|Reopen rate"
                              "|Closed|Resolved at first contact|First-contact resolution"),
    "report.xlsx.volume_cols": ("기준|이름|접수", "By|Name|Received"),
    "report.xlsx.volume_by": ("부서|분야|동", "Department|Category|Dong"),
    "report.xlsx.location_only": ("(지도 위치만)", "(map point only)"),
    "report.xlsx.no_dong": ("(동 이름 없음)", "(no dong named)"),
    "report.xlsx.recurring_cols": ("분야|주소|위도|경도|건수|처음 접수|마지막 접수|접수번호",
                                   "Category|Address|Latitude|Longitude|Complaints|First|Last|Receipt numbers"),
    "report.xlsx.other_cols": ("구분|기관 또는 날짜|완료 건수 또는 의견 수|처리 시간 중앙값 (근무시간)|분석까지 일수|분석 기한 준수|정책 답변까지 일수|답변 기한 준수",
                               "Kind|Office or day|Completed or opinions|Median business hours|Days to analysis|Analysis on time"
                               "|Days to policy answer|Answer on time"),
    "report.xlsx.other_kinds": ("원스톱 처리 기관|소통 Day", "One-stop office|Opinion day"),
    "report.xlsx.yes_no": ("예|아니요", "yes|no"),
    "report.xlsx.ranking_cols": ("순위|부서|평가 수|평균|보정 점수|비고", "Rank|Department|Ratings|Mean|Adjusted score|Note"),
    "report.xlsx.trend_cols": ("월|평가 수|평균 만족도|답변|기한 내 처리율", "Month|Ratings|Mean rating|Answered|On-time rate"),
    "report.xlsx.raw_cols": ("번호|부서|담당자|설문 발송일|평가일|종합|{items}", "No.|Department|Officer|Survey sent|Rated|Overall|{items}"),
    "report.not_evaluator": ("평가단만 쓸 수 있는 명령입니다. 관리자에게 evaluator 역할을 요청하세요.",
                             "Only the evaluation team can use this. Ask an admin for the evaluator role."),
    "ranking.title": ("🏆 <b>친절 부서 순위</b> (최근 {days}일 주민 평가)", "🏆 <b>Department ranking</b> (residents' ratings, last {days} days)"),
    "ranking.line": ("{rank}. {department} — {score}점 (평가 {n}건, 평균 {mean})", "{rank}. {department} — {score} ({n} ratings, mean {mean})"),
    "ranking.unranked": ("평가가 {min}건 미만이라 순위에서 빠진 부서: {departments}", "Not ranked (fewer than {min} ratings): {departments}"),
    "ranking.none": ("아직 순위를 낼 만큼 평가가 쌓이지 않았습니다 (부서별 {min}건 이상 필요).", "Not enough ratings for a ranking yet ({min} per department needed)."),
    "ranking.rule": ("점수는 보정 평균입니다: (C×m + 평가 합계) ÷ (C + 평가 수), C = {weight}, m = 구 전체 평균 {prior}. 평가가 적은 부서가 운으로 앞서지 않도록 합니다.",
                     "Scores are Bayesian means: (C×m + sum of ratings) ÷ (C + ratings), C = {weight}, m = district mean {prior}, so a few lucky ratings do not top the list."),
    # --- opinion days (소통 Day, issue 7, /opinion) --------------------------------------------
    "opd.home": (
        "<b>소통 Day — 구정에 의견 보태기</b>\n매월 셋째 목요일, 구정 주제 하나를 두고 주민 의견을 듣습니다. "
        "오전 10시에 주제를 보내 드리고 그날 자정까지 투표와 의견(1인 {n}건, 건당 {chars}자까지)을 받습니다. "
        "분석 결과는 {analysis_days}일 안에, 정책에 무엇을 반영했는지는 {answer_days}일 안에 공개하고 참여하신 분께 보내 드립니다.\n\n"
        "다음 소통 Day: {next}\n{status}{today}",
        "<b>Opinion Day — have your say on district policy</b>\nOn the third Thursday of each month we ask residents about one "
        "policy topic. The topic goes out at 10:00 and votes and opinions ({n} per person, up to {chars} characters each) are "
        "taken until midnight. The analysis is published within {analysis_days} days and what was reflected in policy within "
        "{answer_days} days; participants get both.\n\nNext Opinion Day: {next}\n{status}{today}"),
    "opd.home.subscribed": ("🔔 구독 중입니다{dong}.", "🔔 You are subscribed{dong}."),
    "opd.home.not_subscribed": ("구독하지 않았습니다. 구독하시면 매월 주제를 보내 드립니다.", "You are not subscribed. Subscribe to get each month's topic."),
    "opd.home.dong": (" (동: {dong})", " (dong: {dong})"),
    "opd.home.today": ("\n\n📣 <b>오늘의 주제: {title}</b>\n{question}\n내 의견 {mine}/{n}건 · 자정까지 받습니다.",
                       "\n\n📣 <b>Today's topic: {title}</b>\n{question}\nYour opinions: {mine}/{n} · open until midnight."),
    "opd.home.staff": ("\n\n<b>담당자</b> ({department}): 다음 소통 Day 주제 — {prepared}",
                       "\n\n<b>Organiser</b> ({department}): next Opinion Day topic — {prepared}"),
    "opd.home.prepared": ("「{title}」 예약됨", "“{title}” scheduled"),
    "opd.home.unprepared": ("⚠️ 아직 준비되지 않음", "⚠️ not prepared yet"),
    "opd.privacy": (
        "<b>소통 Day 개인정보 수집·이용 동의 (개인정보 보호법 제15조)</b>\n"
        "• 목적: 소통 Day 의견 수집·분석, 분석 결과와 정책 반영 결과 알림\n"
        "• 항목: 텔레그램 사용자 번호, 의견 내용, 투표 선택, (선택) 사는 동\n"
        "• 보유 기간: 정책 반영 결과 공개 후 1년 (그 뒤 의견 원문 삭제, 통계만 보관)\n"
        "• 동의하지 않을 수 있으며, 그러면 이 대화창에서 의견을 낼 수 없습니다. 이름·연락처·주민등록번호는 적지 마세요.",
        "<b>Consent for Opinion Days (Personal Information Protection Act art. 15)</b>\n"
        "• Purpose: collecting and analysing opinions, telling you the analysis and what was reflected in policy\n"
        "• Items: your Telegram user number, your opinions, your vote, (optional) your dong\n"
        "• Retention: 1 year after the policy answer (then the texts are deleted, only statistics kept)\n"
        "• You may refuse; you then cannot take part in this chat. Do not write names, phone or registration numbers."),
    "opd.btn.subscribe": ("🔔 동의하고 구독", "🔔 Agree and subscribe"),
    "opd.btn.unsubscribe": ("🔕 구독 해지", "🔕 Unsubscribe"),
    "opd.btn.dong": ("🏘 사는 동 설정", "🏘 Set my dong"),
    "opd.btn.write": ("✍️ 의견 보내기", "✍️ Send an opinion"),
    "opd.btn.consent_write": ("✍️ 동의하고 의견 보내기", "✍️ Agree and send an opinion"),
    "opd.btn.mine": ("📝 내 의견 보기·고치기", "📝 See or edit my opinions"),
    "opd.btn.edit_n": ("{slot}번 고치기", "Edit #{slot}"),
    "opd.btn.prepare": ("🗓 다음 주제 준비", "🗓 Prepare the next topic"),
    "opd.btn.board": ("📊 소통 Day 현황", "📊 Opinion Day status"),
    "opd.subscribed": ("구독했습니다. 매월 셋째 목요일 오전 10시에 주제를 보내 드립니다.", "Subscribed. You will get the topic at 10:00 on the third Thursday of each month."),
    "opd.already_subscribed": ("이미 구독 중입니다.", "You are already subscribed."),
    "opd.unsubscribed": ("구독을 해지했습니다. 이미 참여한 주제의 결과는 보내 드립니다.", "Unsubscribed. You will still get the results of topics you took part in."),
    "opd.not_subscribed": ("구독 중이 아닙니다.", "You are not subscribed."),
    "opd.ask_dong": ("사는 동을 골라 주세요 (선택). 동별 참여 비율을 내는 데만 씁니다.", "Choose your dong (optional). It is only used for the share of participants per dong."),
    "opd.dong_set": ("동을 {dong:으로/로} 저장했습니다.", "Saved your dong: {dong}."),
    "opd.dong_skipped": ("동은 저장하지 않았습니다.", "No dong saved."),
    "opd.ask_opinion": ("<b>{title}</b>\n{question}\n\n의견을 글로 보내 주세요 ({min}~{max}자, {slot}/{n}번째). /cancel 로 취소.",
                        "<b>{title}</b>\n{question}\n\nSend your opinion as text ({min}–{max} characters, #{slot} of {n}). /cancel to stop."),
    "opd.ask_edit": ("{slot}번 의견을 고칩니다. 새 내용을 보내 주시면 이전 내용을 대신합니다 ({min}~{max}자).\n지금: {text}",
                     "Editing opinion #{slot}. Send the new text and it replaces the old one ({min}–{max} characters).\nNow: {text}"),
    "opd.saved": ("의견을 저장했습니다 ({slot}/{n}). 오늘 자정까지 고칠 수 있고, 보낸 메시지를 수정해도 바뀝니다.",
                  "Opinion {slot}/{n} saved. You can edit it until midnight, also by editing the message you sent."),
    "opd.replaced": ("{slot}번 의견을 새 내용으로 바꾸었습니다.", "Opinion #{slot} replaced."),
    "opd.mine": ("<b>내 의견</b> — {title}\n{lines}", "<b>Your opinions</b> — {title}\n{lines}"),
    "opd.mine_line": ("{slot}. {text}", "{slot}. {text}"),
    "opd.mine_none": ("아직 보낸 의견이 없습니다.", "You have not sent an opinion yet."),
    "opd.text_expected": ("의견은 글로 보내 주세요. /cancel 로 그만둘 수 있습니다.", "Please send your opinion as text. /cancel to stop."),
    "opd.no_topic": ("지금은 의견을 받는 주제가 없습니다. 다음 소통 Day는 {next}입니다.", "No topic is open right now. The next Opinion Day is {next}."),
    "opd.not_staff": ("소통 Day 담당 부서({department}) 담당자만 할 수 있습니다.", "Only officers of {department}, which runs the Opinion Days, can do this."),
    "opd.ann.text": (
        "📣 <b>소통 Day {day} — {title}</b>\n\n{background}{link}\n\n❓ <b>{question}</b>\n\n"
        "오늘 자정까지 의견을 보내 주세요 (1인 {n}건, 건당 {chars}자까지).{poll}",
        "📣 <b>Opinion Day {day} — {title}</b>\n\n{background}{link}\n\n❓ <b>{question}</b>\n\n"
        "Send your opinion until midnight today ({n} per person, up to {chars} characters each).{poll}"),
    "opd.ann.link": ("\n🔗 자세히 보기: {link}", "\n🔗 More: {link}"),
    "opd.ann.poll": (" 아래 투표에도 참여해 주세요.", " Please also answer the poll below."),
    # analysis
    "opd.an.head": ("<b>소통 Day 분석 — {title}</b> ({day})\n참여 {participants}명 · 의견 {opinions}건 · 투표 {voters}명",
                    "<b>Opinion Day analysis — {title}</b> ({day})\n{participants} participants · {opinions} opinions · {voters} voters"),
    "opd.an.poll_head": ("\n<b>투표 결과</b> — {question}", "\n<b>Poll</b> — {question}"),
    "opd.an.poll_line": ("• {option}: {votes}표 ({pct}%)", "• {option}: {votes} votes ({pct}%)"),
    "opd.an.themes_head": ("\n<b>주요 의견</b> (같은 낱말로 묶음)", "\n<b>Main themes</b> (grouped by keyword)"),
    "opd.an.theme_line": ("{n}. <b>{keyword}</b>{related} — 의견 {opinions}건 ({pct}%), {participants}명",
                          "{n}. <b>{keyword}</b>{related} — {opinions} opinions ({pct}%), {participants} people"),
    "opd.an.related": (" ({words})", " ({words})"),
    "opd.an.example": ("   “{text}”", "   “{text}”"),
    "opd.an.other": ("그 밖의 의견 {n}건", "{n} other opinions"),
    "opd.an.no_themes": ("의견 {n}건은 공통 주제로 묶이지 않았습니다.", "The {n} opinions did not share a theme."),
    "opd.an.dongs": ("\n<b>동별 참여</b>: {dongs} (동 미기재 {unknown}명)", "\n<b>Participants per dong</b>: {dongs} ({unknown} did not say)"),
    "opd.op.draft": ("🗒 <b>분석 초안</b> — 「{title}」\n공개 기한: {due}\n[공개]하면 참여자 모두에게 보냅니다. 고칠 것이 있으면 [수정].\n\n{text}",
                     "🗒 <b>Analysis draft</b> — “{title}”\nDue: {due}\n[Publish] sends it to every participant; [Edit] to change it first.\n\n{text}"),
    "opd.btn.publish": ("📢 공개", "📢 Publish"),
    "opd.btn.edit_analysis": ("✏️ 수정", "✏️ Edit"),
    "opd.btn.view_draft": ("🗒 분석 초안 보기", "🗒 See the analysis draft"),
    "opd.an.ask_edit": ("분석 글 전체를 고쳐서 보내 주세요 ({min}~{max}자). 보내신 글이 그대로 공개됩니다. /cancel 로 취소.",
                        "Send the whole analysis as it should be published ({min}–{max} characters). /cancel to stop."),
    "opd.an.edit_preview": ("<b>공개할 분석 미리보기</b>\n\n{text}", "<b>Preview of the analysis to publish</b>\n\n{text}"),
    "opd.an.published": ("분석을 공개했습니다. 참여자 {n}명에게 보냅니다.", "Analysis published; it goes to {n} participants."),
    "opd.push.analysis": ("📊 참여하신 소통 Day 「{title}」의 분석 결과입니다.\n\n{text}",
                          "📊 The analysis of the Opinion Day you took part in (“{title}”).\n\n{text}"),
    # policy answer
    "opd.btn.policy": ("🏛 정책 반영 기록", "🏛 Record the policy answer"),
    "opd.btn.publish_answer": ("📢 정책 답변 공개", "📢 Publish the policy answer"),
    "opd.themes.title": ("<b>정책 반영 기록</b> — 「{title}」\n주제마다 반영 결과를 적어 주세요. 모두 적으면 [정책 답변 공개]. 기한: {due}",
                         "<b>Policy answer</b> — “{title}”\nRecord the outcome for each theme, then [Publish]. Due: {due}"),
    "opd.themes.btn": ("{mark} {rank}. {keyword} ({opinions}건)", "{mark} {rank}. {keyword} ({opinions})"),
    "opd.themes.none": ("이 주제에는 묶인 의견이 없습니다. [정책 답변 공개]로 마무리할 수 있습니다.",
                        "There are no themes for this topic; [Publish] closes it."),
    "opd.themes.ask_status": ("「{keyword}」(의견 {opinions}건)는 정책에 어떻게 반영되었나요?", "What happened to “{keyword}” ({opinions} opinions)?"),
    "opd.themes.ask_note": ("「{keyword}」: {status}. 무엇을 어떻게 반영했는지(또는 왜 못 했는지) 적어 주세요 ({min}~{max}자).",
                            "“{keyword}”: {status}. Say what was done and how (or why not), {min}–{max} characters."),
    "opd.themes.saved": ("「{keyword}」 기록을 저장했습니다.", "Saved for “{keyword}”."),
    "opd.policy.reflected": ("반영", "reflected"),
    "opd.policy.partly": ("일부 반영", "partly reflected"),
    "opd.policy.reviewing": ("검토 중", "under review"),
    "opd.policy.not": ("반영하지 않음", "not reflected"),
    "opd.answer.line": ("• <b>{keyword}</b> — {status}: {note}", "• <b>{keyword}</b> — {status}: {note}"),
    "opd.answer.yours": ("<b>내가 낸 의견의 주제</b>\n{lines}", "<b>The themes you raised</b>\n{lines}"),
    "opd.answer.yours_none": ("보내 주신 의견은 따로 묶인 주제가 없었지만 모두 담당 부서가 읽었습니다.",
                              "Your opinions did not fall into a theme, but the department read them all."),
    "opd.answer.others": ("\n\n<b>다른 주제</b>\n{lines}", "\n\n<b>Other themes</b>\n{lines}"),
    "opd.push.answer": ("🏛 소통 Day 「{title}」 정책 반영 결과입니다.\n\n{yours}{others}",
                        "🏛 What was reflected in policy from the Opinion Day “{title}”.\n\n{yours}{others}"),
    "opd.answer.published": ("정책 반영 결과를 공개했습니다. 참여자 {n}명에게 보냅니다.", "Policy answer published; it goes to {n} participants."),
    # topic preparation (officers)
    "opd.prep.ask_title": ("다음 소통 Day({day}) 주제를 준비합니다. /cancel 로 언제든 그만둘 수 있습니다.\n\n1/5 <b>제목</b>을 보내 주세요 ({min}~{max}자).",
                           "Preparing the topic for the next Opinion Day ({day}). /cancel at any time.\n\n1/5 Send the <b>title</b> ({min}–{max} characters)."),
    "opd.prep.ask_background": ("2/5 <b>배경 설명</b>을 보내 주세요 ({min}~{max}자). 사진에 설명(캡션)을 달아 보내도 됩니다.",
                                "2/5 Send the <b>background</b> ({min}–{max} characters). You may send a photo with the text as its caption."),
    "opd.prep.ask_link": ("3/5 관련 <b>링크</b>가 있으면 보내 주세요 (https://…). 없으면 [건너뛰기].",
                          "3/5 Send a related <b>link</b> (https://…), or [Skip]."),
    "opd.prep.ask_question": ("4/5 주민에게 묻는 <b>질문</b>을 보내 주세요 ({min}~{max}자). 투표를 붙이면 투표 질문이 됩니다.",
                              "4/5 Send the <b>question</b> to residents ({min}–{max} characters); it is also the poll question."),
    "opd.prep.ask_poll": ("5/5 질문에 텔레그램 <b>투표</b>를 붙일까요?", "5/5 Add a Telegram <b>poll</b> to the question?"),
    "opd.btn.poll_yes": ("📊 투표 붙이기", "📊 Add a poll"),
    "opd.btn.poll_no": ("투표 없이", "No poll"),
    "opd.prep.ask_options": ("투표 보기를 한 줄에 하나씩 보내 주세요 ({min}~{max}개, 각 {len}자 이내).",
                             "Send the poll options, one per line ({min}–{max} options, up to {len} characters each)."),
    "opd.prep.preview": ("<b>미리보기</b> — 구독자 {n}명에게 {day} {time}에 이렇게 보냅니다{replace}:", "<b>Preview</b> — this goes to {n} subscribers on {day} at {time}{replace}:"),
    "opd.prep.preview_poll": ("📊 투표: {options}", "📊 Poll: {options}"),
    "opd.prep.replace": (" (예약된 「{title}」를 대신합니다)", " (replacing the scheduled “{title}”)"),
    "opd.btn.schedule": ("✅ 예약", "✅ Schedule"),
    "opd.btn.prep_edit": ("✏️ 수정", "✏️ Edit"),
    "opd.btn.prep_cancel": ("✖️ 취소", "✖️ Cancel"),
    "opd.prep.edit_which": ("무엇을 고칠까요?", "What do you want to change?"),
    "opd.field.title": ("제목", "Title"),
    "opd.field.background": ("배경", "Background"),
    "opd.field.link": ("링크", "Link"),
    "opd.field.question": ("질문", "Question"),
    "opd.field.poll": ("투표", "Poll"),
    "opd.prep.scheduled": ("예약했습니다: {day} {time}에 「{title}」{title:~을/를} 구독자에게 보냅니다.", "Scheduled: “{title}” goes to subscribers on {day} at {time}."),
    "opd.prep.cancelled": ("주제 준비를 취소했습니다.", "Topic preparation cancelled."),
    "opd.prep.photo_caption": ("사진에 설명(캡션)을 달아 보내 주세요. 그 설명이 배경 글이 됩니다.", "Send the photo with a caption: the caption is the background text."),
    "opd.prep.text_expected": ("글로 보내 주세요. /cancel 로 그만둘 수 있습니다.", "Please send text. /cancel to stop."),
    # status board and officer notices
    "opd.board.title": ("<b>소통 Day 현황</b>", "<b>Opinion Days</b>"),
    "opd.board.empty": ("아직 소통 Day 주제가 없습니다.", "No Opinion Day topics yet."),
    "opd.board.line": ("{day} 「{title}」 · {status}\n   분석 기한 {analysis_due} {analysis} · 정책 답변 기한 {answer_due} {answer}",
                       "{day} “{title}” · {status}\n   analysis due {analysis_due} {analysis} · policy answer due {answer_due} {answer}"),
    "opd.board.done": ("✅ {days}일째 공개", "✅ published on day {days}"),
    "opd.board.late": ("⚠️ {days}일째 공개 (기한 넘김)", "⚠️ published on day {days} (late)"),
    "opd.board.overdue": ("🚨 기한 넘김", "🚨 overdue"),
    "opd.board.pending": ("⏳", "⏳"),
    "opd.status.scheduled": ("예약", "scheduled"),
    "opd.status.open": ("의견 받는 중", "taking opinions"),
    "opd.status.closed": ("분석 초안", "analysis draft"),
    "opd.status.analysed": ("분석 공개", "analysis published"),
    "opd.status.answered": ("정책 답변 공개", "policy answer published"),
    "opd.status.missed": ("공지 못 함", "missed"),
    "opd.op.prepare": ("🗓 다음 소통 Day({day}) 주제가 아직 준비되지 않았습니다. 제목·배경·질문(투표 선택)을 준비해 주세요.",
                       "🗓 The topic for the next Opinion Day ({day}) is not prepared yet. Please prepare a title, background and question (optional poll)."),
    "opd.op.announced": ("📣 「{title}」{title:~을/를} 구독자 {n}명에게 보냈습니다. 자정까지 의견을 받습니다.", "📣 “{title}” went to {n} subscribers; opinions are taken until midnight."),
    "opd.op.missed": ("⚠️ {day} 소통 Day 「{title}」{title:~은/는} 봇이 멈춰 있어 공지하지 못했습니다. 다시 예약해 주세요.",
                      "⚠️ The Opinion Day of {day} (“{title}”) could not be announced because the bot was down. Please schedule it again."),
    "opd.op.remind_analysis": ("⏰ 「{title}」 분석 공개 기한은 {due}입니다. 초안을 확인하고 공개해 주세요.", "⏰ The analysis of “{title}” is due {due}. Please check the draft and publish it."),
    "opd.op.remind_answer": ("⏰ 「{title}」 정책 반영 결과 공개 기한은 {due}입니다.", "⏰ The policy answer for “{title}” is due {due}."),
    "opd.op.what_analysis": ("분석 공개", "analysis"),
    "opd.op.what_answer": ("정책 반영 결과 공개", "policy answer"),
    "opd.op.escalation": ("🚨 {department}: 소통 Day 「{title}」의 {what} 기한({due})이 지났습니다.",
                          "🚨 {department}: the {what} of the Opinion Day “{title}” is overdue (due {due})."),
    # errors
    "opd.err.title": ("제목은 {min}~{max}자로 적어 주세요 (지금 {n}자).", "The title needs {min}–{max} characters (now {n})."),
    "opd.err.background": ("배경 설명은 {min}~{max}자로 적어 주세요 (지금 {n}자).", "The background needs {min}–{max} characters (now {n})."),
    "opd.err.question": ("질문은 {min}~{max}자로 적어 주세요 (지금 {n}자).", "The question needs {min}–{max} characters (now {n})."),
    "opd.err.link": ("링크는 https:// 로 시작하는 주소 하나만 보내 주세요.", "Send one web address starting with https://."),
    "opd.err.poll_count": ("투표 보기는 {min}~{max}개여야 합니다 (지금 {n}개). 한 줄에 하나씩 보내 주세요.", "A poll needs {min}–{max} options (now {n}), one per line."),
    "opd.err.poll_long": ("보기 하나는 {max}자까지입니다.", "Each option can be up to {max} characters."),
    "opd.err.poll_dup": ("같은 보기가 두 번 있습니다.", "An option appears twice."),
    "opd.err.opinion_len": ("의견은 {min}~{max}자로 보내 주세요 (지금 {n}자).", "An opinion needs {min}–{max} characters (now {n})."),
    "opd.err.rrn": ("주민등록번호로 보이는 숫자가 있어 저장하지 않았습니다. 빼고 다시 보내 주세요.", "That looks like a resident registration number, which we must not store. Please send it again without it."),
    "opd.err.dong": ("목록에 있는 동을 골라 주세요.", "Please choose a dong from the list."),
    "opd.err.closed": ("이 주제는 의견 접수가 끝났습니다. 결과는 참여하신 분께 보내 드립니다.", "This topic is no longer taking opinions. Participants will get the results."),
    "opd.err.limit": ("한 주제에 의견은 {n}건까지입니다. [내 의견 보기·고치기]에서 고칠 수 있습니다.", "Up to {n} opinions per topic; you can edit yours under [See or edit my opinions]."),
    "opd.err.no_such_opinion": ("고칠 의견을 찾지 못했습니다.", "That opinion was not found."),
    "opd.err.not_draft": ("이미 공개했거나 아직 분석 초안이 없는 주제입니다.", "This analysis is already published or not drafted yet."),
    "opd.err.analysis_len": ("분석 글은 {min}~{max}자로 보내 주세요 (지금 {n}자).", "The analysis needs {min}–{max} characters (now {n})."),
    "opd.err.not_answerable": ("분석을 공개한 뒤, 정책 답변을 공개하기 전까지만 기록할 수 있습니다.", "The policy answer can be recorded after the analysis is published and before the answer is."),
    "opd.err.no_such_theme": ("없는 주제입니다.", "No such theme."),
    "opd.err.policy_status": ("반영 결과를 버튼으로 골라 주세요.", "Choose the outcome with the buttons."),
    "opd.err.note_len": ("설명은 {min}~{max}자로 적어 주세요 (지금 {n}자).", "The note needs {min}–{max} characters (now {n})."),
    "opd.err.themes_missing": ("아직 적지 않은 주제가 있습니다: {themes}", "Some themes have no outcome yet: {themes}"),
    # --- new residents (전입주민 생활정보, /moving) and the monthly newsletter (issue 5) ------
    "nr.intro": (
        "<b>전입주민 생활정보</b>\n새로 이사 오셨거나 이사 오실 예정이면, 사시는 동과 가구에 맞춘 생활정보(주민센터, 쓰레기 배출, 주차, 도서관·공원, 보육·학교·어르신 시설 등)와 매월 {day}일 구 소식지를 보내 드립니다.\n\n"
        "전입(예정)일을 알려 주세요. 예: 2026-11-20, 11/20, 11월 20일, 오늘 (언제든 /cancel 로 취소)",
        "<b>Information for new residents</b>\nIf you have just moved in, or are about to, we send you information for your neighbourhood and household (community centre, waste days, parking, libraries and parks, childcare, schools, senior services ...) and the district newsletter on day {day} of each month.\n\n"
        "When do (or did) you move in? e.g. 2026-11-20, 11/20, today (/cancel at any time)"),
    "nr.date_format": ("날짜를 알아보지 못했습니다. 2026-11-20, 11/20, 11월 20일, 오늘처럼 적어 주세요.",
                       "I could not read that date. Please write it like 2026-11-20, 11/20 or today."),
    "nr.date_past": ("{date:은/는} 너무 오래전입니다. 최근 {days}일 안에 전입하셨을 때 신청할 수 있습니다. 전입일을 다시 적어 주세요.",
                     "{date} is too long ago: this is for residents who moved in within the last {days} days. Please write the date again."),
    "nr.date_future": ("{date:은/는} 너무 먼 날짜입니다. 전입 예정일은 {days}일 안이어야 합니다. 다시 적어 주세요.",
                       "{date} is too far ahead: a planned move must be within {days} days. Please write the date again."),
    "nr.ask_dong": ("전입일: {date}\n어느 동으로 오셨나요?", "Move-in date: {date}\nWhich neighbourhood (dong)?"),
    "nr.ask.head_age": ("{dong} · 전입일 {date}\n\n가구에 맞는 정보를 드리려고 몇 가지 여쭙니다. 모두 선택 사항이니 원하지 않으면 [건너뛰기]를 누르세요.\n\n세대주(가구 대표)의 연령대는?",
                        "{dong} · moving in {date}\n\nA few optional questions so we can send what fits your household; press [Skip] for any of them.\n\nAge of the head of the household?"),
    "nr.ask.children_under_7": ("만 7세 미만 자녀가 있나요?", "Any children under 7?"),
    "nr.ask.school_age_children": ("초·중·고등학생 자녀가 있나요?", "Any school-age children?"),
    "nr.ask.seniors_65": ("만 65세 이상 가족이 함께 사나요?", "Anyone aged 65 or older in the household?"),
    "nr.ask.pet": ("반려동물(개·고양이)을 키우나요?", "Do you have a pet (dog or cat)?"),
    "nr.ask.car": ("자동차가 있나요?", "Do you have a car?"),
    "nr.btn.yes": ("예", "Yes"),
    "nr.btn.no": ("아니요", "No"),
    "nr.btn.skip_all": ("나머지 질문 건너뛰기", "Skip the rest"),
    "nr.consent": (
        "<b>개인정보 수집·이용 동의 (전입주민 생활정보)</b>\n"
        "• 목적: 동과 가구에 맞춘 생활정보 안내, 월간 구 소식지 발송, 1주 뒤 안부·문의 안내\n"
        "• 항목: 텔레그램 사용자 번호, 전입(예정)일, 동, (선택) 답하신 가구 정보(세대주 연령대, 자녀·65세 이상 가족·반려동물·자동차 여부)\n"
        "• 보유 기간: 수신 거부하면 즉시 파기, 그렇지 않아도 전입일부터 {days}일이 지나면 파기\n"
        "• 동의를 거부할 권리가 있으며, 거부하면 생활정보와 소식지를 받을 수 없습니다. 민원 신청 등 다른 기능은 그대로 쓸 수 있습니다.\n\n"
        "<b>저장할 내용</b>\n{summary}",
        "<b>Consent to collect and use personal data (new-resident information)</b>\n"
        "• Purpose: information for your neighbourhood and household, the monthly district newsletter, a check-in a week later\n"
        "• Items: your Telegram user number, move-in date, neighbourhood, (optional) the household answers you gave (age band of the head, children, members 65+, pet, car)\n"
        "• Retention: deleted at once when you stop, and in any case {days} days after the move-in date\n"
        "• You may refuse; you then get no information or newsletter. Complaints and everything else stay available.\n\n"
        "<b>What we will store</b>\n{summary}"),
    "nr.summary": ("전입일: {date}\n동: {dong}\n가구: {household}", "Move-in date: {date}\nNeighbourhood: {dong}\nHousehold: {household}"),
    "nr.household_none": ("답하지 않음", "not given"),
    "nr.label.head_age": ("세대주 {band}", "head of household {band}"),
    "nr.label.children_under_7": ("7세 미만 자녀 {answer}", "children under 7: {answer}"),
    "nr.label.school_age_children": ("학생 자녀 {answer}", "school-age children: {answer}"),
    "nr.label.seniors_65": ("65세 이상 가족 {answer}", "members 65+: {answer}"),
    "nr.label.pet": ("반려동물 {answer}", "pet: {answer}"),
    "nr.label.car": ("자동차 {answer}", "car: {answer}"),
    "nr.has": ("있음", "yes"),
    "nr.has_not": ("없음", "no"),
    "nr.btn.agree": ("✅ 동의하고 받기", "✅ I agree, send it"),
    "nr.btn.refuse": ("동의하지 않음", "I do not agree"),
    "nr.refused": ("동의하지 않으셨습니다. 입력하신 내용은 저장하지 않고 삭제했습니다. 마음이 바뀌면 /moving 으로 다시 신청하세요.",
                   "You did not consent. What you entered was discarded, not saved. Use /moving if you change your mind."),
    "nr.subscribed": ("등록했습니다. 곧 {dong} 생활정보를 보내 드립니다. 다음 소식지는 {next}에 보냅니다.\n마지막 안내 아래의 [수신 거부] 버튼이나 /moving 으로 언제든 그만 받을 수 있습니다.",
                      "Done. The information for {dong} is on its way; the next newsletter goes out {next}.\nStop at any time with the [Stop] button under the last message, or /moving."),
    "nr.already": ("이미 전입주민 생활정보를 받고 있습니다 ({dong}, 전입일 {date}). 다시 신청하면 새 내용으로 바뀌고 생활정보를 다시 보내 드립니다.",
                   "You already receive the new-resident information ({dong}, moving in {date}). Registering again replaces it and sends the information again."),
    "nr.btn.again": ("다시 신청", "Register again"),
    "nr.btn.stop": ("🔕 수신 거부", "🔕 Stop these messages"),
    "nr.btn.ask": ("💬 문의하기", "💬 Ask a question"),
    "nr.stopped": ("수신 거부를 처리했습니다. 저장했던 전입 정보(동·전입일·가구 정보)를 삭제했고, 생활정보와 소식지를 더는 보내지 않습니다. 다시 받으려면 /moving.",
                   "Stopped. Your move-in details (neighbourhood, date, household) were deleted and nothing more of this will be sent. /moving to start again."),
    "nr.stop_nothing": ("받고 계신 전입주민 생활정보가 없습니다.", "You are not receiving new-resident information."),
    "nr.privacy_status": ("<b>전입주민 생활정보·소식지</b>: {at}에 동의함 ({dong}). 아래 버튼으로 바로 그만 받을 수 있습니다.",
                          "<b>New-resident information and newsletter</b>: consented on {at} ({dong}). Stop it at once with the button below."),
    "nr.data_unavailable": ("생활정보 자료를 지금 불러오지 못했습니다. 잠시 후 다시 시도해 주세요. 입력하신 내용은 그대로 있습니다.",
                            "The information could not be loaded right now. Please try again shortly; what you entered is kept."),
    "nr.title.basics": ("🏡 <b>{dong} 생활정보</b>", "🏡 <b>Living in {dong}</b>"),
    "nr.title.life": ("📚 <b>{dong} 도서관·공원</b>", "📚 <b>Libraries and parks in {dong}</b>"),
    "nr.title.young_children": ("👶 <b>어린 자녀가 있는 가구: 어린이집·소아청소년과·놀이터</b>",
                                "👶 <b>For young children: childcare, paediatric clinics, playgrounds</b>"),
    "nr.title.school": ("🎒 <b>학생 자녀가 있는 가구: 학교</b>", "🎒 <b>For school-age children: schools</b>"),
    "nr.title.senior": ("🧓 <b>어르신이 계신 가구: 복지관·의료기관·교통</b>", "🧓 <b>For members 65+: welfare centres, clinics, transport</b>"),
    "nr.title.pet": ("🐶 <b>반려동물 등록</b>", "🐶 <b>Pet registration</b>"),
    "nr.title.car": ("🚗 <b>자동차·거주자 우선주차</b>", "🚗 <b>Cars and resident parking</b>"),
    "nr.welcome": ("{district} {dong}에 오신 것을 환영합니다. (전입일 {date})", "Welcome to {dong}, {district}! (moving in {date})"),
    "nr.note.waste": ("🗑 <b>쓰레기 배출</b>", "🗑 <b>Waste</b>"),
    "nr.note.recycling": ("♻️ <b>재활용·대형폐기물</b>", "♻️ <b>Recycling and bulky waste</b>"),
    "nr.note.parking_permit": ("🚚 <b>이삿날 차량</b>", "🚚 <b>Moving day vehicles</b>"),
    "nr.note.library": ("📖 <b>도서관 회원증</b>", "📖 <b>Library card</b>"),
    "nr.note.childcare": ("👶 <b>보육</b>", "👶 <b>Childcare</b>"),
    "nr.note.school": ("🎒 <b>전학</b>", "🎒 <b>Changing schools</b>"),
    "nr.note.senior": ("🧓 <b>어르신 지원</b>", "🧓 <b>Support for seniors</b>"),
    "nr.note.animal_registration": ("🐾 <b>동물등록</b>", "🐾 <b>Animal registration</b>"),
    "nr.note.resident_parking": ("🅿️ <b>거주자 우선주차</b>", "🅿️ <b>Resident priority parking</b>"),
    "nr.map": ("🗺 지도", "🗺 map"),
    "nr.kind.centre": ("🏢 <b>주민센터</b>", "🏢 <b>Community centre</b>"),
    "nr.kind.library": ("📖 <b>도서관</b>", "📖 <b>Libraries</b>"),
    "nr.kind.park": ("🌳 <b>공원</b>", "🌳 <b>Parks</b>"),
    "nr.kind.childcare": ("🧸 <b>어린이집</b>", "🧸 <b>Daycare centres</b>"),
    "nr.kind.paediatric": ("🩺 <b>소아청소년과</b>", "🩺 <b>Paediatric clinics</b>"),
    "nr.kind.playground": ("🛝 <b>놀이터</b>", "🛝 <b>Playgrounds</b>"),
    "nr.kind.school": ("🏫 <b>학교</b>", "🏫 <b>Schools</b>"),
    "nr.kind.senior_welfare": ("🧓 <b>복지관·경로당</b>", "🧓 <b>Seniors' welfare centres and halls</b>"),
    "nr.kind.clinic": ("🏥 <b>의료기관</b>", "🏥 <b>Clinics</b>"),
    "nr.kind.transport": ("🚇 <b>교통 (엘리베이터 있는 역·정류장)</b>", "🚇 <b>Transport (stations with lifts, bus stops)</b>"),
    "nr.kind.animal_registration": ("🐾 <b>동물등록 대행 동물병원</b>", "🐾 <b>Vets that register animals</b>"),
    "nr.kind.resident_parking": ("🅿️ <b>공영주차장</b>", "🅿️ <b>Public car parks</b>"),
    "nr.data_as_of": ("자료 기준일 {updated}", "Information as of {updated}"),
    "nr.sample_data": (" · ※ 샘플 데이터(실제 시설 정보가 아닙니다)", " · ※ SAMPLE data (not real facility information)"),
    "nr.no_dong_data": ("<b>{dong}</b> 상세 생활정보는 아직 준비 중입니다. 궁금한 점은 구청 대표전화 {phone:이나/나} 동 주민센터로 문의해 주세요. 매월 소식지는 보내 드립니다.",
                        "Detailed information for <b>{dong}</b> is not ready yet. Call the district office ({phone}) or your community centre with any question; the monthly newsletter will come."),
    "nr.followup": ("{dong}에 이사 오신 지 일주일이 되었습니다. 지내시면서 궁금하거나 도움이 필요한 일이 있나요? [문의하기]를 누르면 담당 부서가 답해 드립니다.",
                    "It has been a week since you moved to {dong}. Anything we can help with? Press [Ask a question] and the responsible office will answer."),
    "nr.q.need_consent": ("문의는 민원(질의)으로 접수되어 담당 부서가 답합니다. 먼저 아래 민원 개인정보 수집·이용에 동의해 주시고, 그다음 [문의하기]를 다시 눌러 주세요.",
                          "A question is filed as an inquiry, a kind of complaint, for the responsible office. Please first consent to the notice below, then press [Ask a question] again."),
    "nr.q.ask_topic": ("무엇에 관한 문의인가요? (언제든 /cancel 로 취소)", "What is your question about? (/cancel at any time)"),
    "nr.q.ask_text": ("<b>{topic}</b>\n문의 내용을 적어 주세요 (10~2,000자).", "<b>{topic}</b>\nWrite your question (10–2,000 characters)."),
    "nr.q.text_expected": ("문의 내용을 글로 적어 보내 주세요. /cancel 로 그만둘 수 있습니다.", "Please write your question as text, or /cancel."),
    "nr.q.filed": ("<b>문의가 접수되었습니다.</b>\n접수번호: <code>{receipt}</code>\n담당 부서: {department}\n답변 기한: {deadline}\n답변은 이 대화창으로 보내 드리며 /status 에서도 볼 수 있습니다.",
                   "<b>Your question was received.</b>\nReceipt no: <code>{receipt}</code>\nDepartment: {department}\nAnswer due: {deadline}\nThe answer comes to this chat; follow it with /status."),
    "nl.start": ("<b>{month} 소식지</b>\n발송 예정: {send_at} · 현재 구독자 {subscribers}명{existing}\n\n본문을 보내 주세요 ({max}자까지, 굵게·링크 같은 서식은 그대로 전달됩니다). .txt/.md 파일로 보내도 됩니다. /cancel 로 취소.",
                 "<b>Newsletter {month}</b>\nGoes out: {send_at} · {subscribers} subscribers now{existing}\n\nSend the text (up to {max} characters; bold, links and other formatting are kept), or a .txt/.md file. /cancel to stop."),
    "nl.existing": ("\n※ 이 달 소식지가 이미 확정되어 있습니다. 새로 확정하면 바뀝니다.", "\n※ This month's issue is already confirmed; confirming a new one replaces it."),
    "nl.ask_photo": ("이미지를 함께 보낼까요? 사진을 보내거나 [건너뛰기]를 누르세요. (사진과 함께 보내면 본문은 {max}자까지)",
                     "Add an image? Send a photo, or press [Skip]. (With an image the text can be at most {max} characters.)"),
    "nl.photo_expected": ("사진을 보내거나 [건너뛰기]를 눌러 주세요.", "Send a photo or press [Skip]."),
    "nl.ask_links": ("링크 버튼을 붙일까요? 한 줄에 하나씩 '이름 | https://주소' 로 적어 주세요 (최대 {max}개). 없으면 [건너뛰기].",
                     "Add link buttons? One per line as 'label | https://address' (at most {max}). Or [Skip]."),
    "nl.text_expected": ("본문을 글로 보내거나 .txt/.md 파일로 보내 주세요.", "Send the text, or a .txt/.md file."),
    "nl.preview_title": ("👀 <b>미리보기</b> — 구독자는 다음 메시지를 받습니다.", "👀 <b>Preview</b> — subscribers get the next message."),
    "nl.confirm": ("{month} 소식지를 {send_at}에 구독자(현재 {subscribers}명)에게 보낼까요?",
                   "Send the {month} newsletter on {send_at} to the subscribers ({subscribers} now)?"),
    "nl.btn.confirm": ("✅ 확정", "✅ Confirm"),
    "nl.btn.rewrite": ("✏️ 다시 쓰기", "✏️ Rewrite"),
    "nl.btn.cancel": ("✖️ 취소", "✖️ Cancel"),
    "nl.scheduled": ("확정했습니다. {month} 소식지는 {send_at}에 발송하고, 발송이 끝나면 결과를 알려 드립니다.",
                     "Confirmed. The {month} newsletter goes out on {send_at}; you will get the delivery counts when it has finished."),
    "nl.cancelled": ("소식지 작성을 취소했습니다. 이미 확정된 소식지는 그대로입니다.", "Cancelled. An issue confirmed earlier stays as it was."),
    "nl.file_failed": ("파일을 내려받지 못했습니다. 다시 보내 주세요.", "The file could not be downloaded. Please send it again."),
    "food.report": ("📮 <b>{kind} 발송 결과</b>: {what}\n대상 {total}곳 · 보냄 {sent} · 차단 {blocked} · 실패 {failed}",
                    "📮 <b>{kind} delivery report</b>: {what}\n{total} recipients · sent {sent} · blocked {blocked} · failed {failed}"),
    "food.report.alert": ("식중독 예측 알림", "Food-poisoning alert"),
    "food.report.notice": ("식중독 발생 알림", "Outbreak notice"),
    "nl.report": ("📮 <b>{month} 소식지 발송 결과</b>\n대상 {recipients}명\n보냄 {sent} · 차단 {blocked} · 실패 {failed} · 수신 거부로 취소 {cancelled}\n발송 {started} ~ {finished}",
                  "📮 <b>Newsletter {month}: delivery</b>\nRecipients {recipients}\nsent {sent} · blocked {blocked} · failed {failed} · cancelled (stopped) {cancelled}\nfrom {started} to {finished}"),
    "nl.err.empty": ("본문이 비어 있습니다.", "The text is empty."),
    "nl.err.too_long": ("본문은 {max}자까지입니다 (지금 {n}자). 줄여서 다시 보내 주세요.", "The text can be at most {max} characters (now {n}). Please shorten it."),
    "nl.err.photo_too_long": ("사진과 함께 보내는 본문은 {max}자까지입니다 (지금 {n}자). 사진 없이 보내려면 [건너뛰기]를 누르세요.",
                              "With an image the text can be at most {max} characters (now {n}). Press [Skip] to send it without the image."),
    "nl.err.bad_link": ("{line}번째 줄의 링크는 텔레그램이 받지 않습니다: {why}. '이름 | https://주소' 형식으로 적어 주세요.",
                        "Telegram would not take the link on line {line}: {why}. Write 'label | https://address'."),
    "nl.err.url.protocol": ("주소는 http:// 또는 https:// 로 시작해야 합니다", "the address must start with http:// or https://"),
    "nl.err.url.port": ("':' 뒤의 포트 번호는 65535 이하의 숫자여야 합니다", "the port after ':' must be a number up to 65535"),
    "nl.err.url.host": ("주소가 비어 있거나 링크가 아닙니다", "there is no address"),
    "nl.err.url.characters": ("주소(도메인)에 쓸 수 없는 문자가 있습니다", "the address (domain) has characters that are not allowed"),
    "nl.err.url.percent": ("'%' 뒤에는 16진수 두 자리가 와야 합니다", "'%' must be followed by two hex digits"),
    "nl.err.url.ipv6": ("IPv6 주소가 올바르지 않습니다", "the IPv6 address is not valid"),
    "nl.err.url.dot": ("도메인에 점(.)이 없습니다 (예: www.example.kr)", "the domain has no dot (e.g. www.example.kr)"),
    "nl.err.url.scheme_link": ("tg:·ton: 링크에는 이름 말고 다른 것을 붙일 수 없습니다", "a tg: or ton: link can only name its target"),
    "nl.err.too_many_links": ("링크는 {max}개까지입니다.", "At most {max} links."),
    "nl.err.file_type": (".txt 또는 .md 파일만 받을 수 있습니다.", "Only .txt or .md files, please."),
    "nl.err.file_size": ("파일은 {max}KB까지입니다.", "The file can be at most {max} KB."),
    "nl.err.file_encoding": ("파일을 읽지 못했습니다. UTF-8 텍스트로 저장해 다시 보내 주세요.", "The file could not be read. Save it as UTF-8 text and send it again."),
    "nl.err.already_sent": ("{month} 소식지는 이미 발송을 시작했습니다. 다음 달 소식지는 발송이 끝난 뒤 준비할 수 있습니다.",
                            "The {month} newsletter is already going out; next month's can be prepared after that."),
    # --- birth and death one-stop (출생·사망 원스톱, issue 3: /birth, /death, /onestop) ----------
    "onestop.kind.birth": ("출생 원스톱", "birth one-stop"),
    "onestop.kind.death": ("사망 원스톱", "death one-stop"),
    "onestop.what.birth": ("출생 원스톱 신청", "birth one-stop application"),
    "onestop.what.death": ("사망 원스톱 신고", "death one-stop report"),
    "onestop.form.resume_q": ("작성 중인 {what:이/가} 있습니다. 멈춘 곳부터 이어서 하시겠어요?",
                              "You have an unfinished {what}. Carry on where you stopped?"),
    "onestop.form.resume": ("이어서 하기", "Carry on"),
    "onestop.form.restart": ("처음부터 다시 (작성한 내용 삭제)", "Start again (discard it)"),
    "onestop.consent.birth": (
        "<b>출생 원스톱 — 한 번의 신청으로 출생 관련 지원을 함께 신청합니다</b>\n"
        "언제든 멈추셨다가 /birth 로 이어서 하실 수 있고, /cancel 로 취소하실 수 있습니다.\n\n"
        "<b>개인정보 수집·이용 동의 (개인정보 보호법 제15조)</b>\n"
        "• 목적: 출생 관련 급여·감면 신청과 담당 부서 전달, 처리 결과 안내, 출생신고 기한 알림, 만족도 조사\n"
        "• 항목: 텔레그램 사용자 번호, 아이 출생일, 출생 순위, 가구의 동, 출생신고 여부, (선택) 기초생활수급 여부·난방 방식·연락처\n"
        "• 보유 기간: 처리 완료 후 1년 (그 뒤 지체 없이 파기)\n"
        "• 동의를 거부할 권리가 있으며, 거부하시면 이 대화창에서는 신청할 수 없습니다. 주민센터 방문이나 정부24로 신청하실 수 있습니다.\n"
        "주민등록번호는 묻지 않으며, 입력하셔도 저장하지 않습니다. 안내 버전: {version}",
        "<b>Birth one-stop — apply for the birth-related support in one go</b>\n"
        "You can stop at any time and carry on with /birth, or cancel with /cancel.\n\n"
        "<b>Consent to collect and use personal data (Personal Information Protection Act art. 15)</b>\n"
        "• Purpose: applying for birth-related benefits and discounts and passing them to the offices in charge, telling you the results, reminding you of the birth-registration deadline, a satisfaction survey\n"
        "• Items: your Telegram user number, the child's birth date, birth order, your neighbourhood (dong), whether the birth is registered, (optional) basic-livelihood status, heating, a contact phone\n"
        "• Retention: 1 year after everything is processed (then destroyed without delay)\n"
        "• You may refuse; you then cannot apply in this chat, but you can at the community centre or on Government24 (www.gov.kr).\n"
        "We never ask for a resident registration number and do not store one. Notice version: {version}"),
    "onestop.consent.death": (
        "삼가 고인의 명복을 빕니다.\n"
        "경황이 없으실 때 여러 기관을 찾아다니지 않으시도록, 한 번 알려 주시면 관계 기관에 함께 전하고 챙기셔야 할 기한을 정리해 드립니다. "
        "천천히 답하셔도 되고, 언제든 멈추셨다가 /death 로 이어서 하실 수 있습니다.\n\n"
        "<b>개인정보 수집·이용 동의 (개인정보 보호법 제15조)</b>\n"
        "• 목적: 관계 기관 통보와 담당 부서 처리, 처리 결과 안내, 기한 알림(원하실 때), 만족도 조사\n"
        "• 항목: 텔레그램 사용자 번호, 돌아가신 날, 신고하시는 분과의 관계, 고인의 동, 사망신고 여부, 외국에 주소를 둔 상속인·고인이 있는지(상속세·취득세 기한 계산용), (선택) 연락처\n"
        "• 보유 기간: 처리 완료 후 1년 (그 뒤 지체 없이 파기)\n"
        "• 동의를 거부할 권리가 있으며, 거부하시면 이 대화창에서는 진행할 수 없습니다. 주민센터에서 같은 도움을 받으실 수 있습니다.\n"
        "주민등록번호는 묻지 않으며, 입력하셔도 저장하지 않습니다. 안내 버전: {version}",
        "We are deeply sorry for your loss.\n"
        "So that you do not have to go from office to office at a hard time, tell us once: we pass it on to the related agencies and set out the deadlines you need to keep. "
        "Take your time; you can stop whenever you like and carry on with /death.\n\n"
        "<b>Consent to collect and use personal data (Personal Information Protection Act art. 15)</b>\n"
        "• Purpose: telling the related agencies and offices, telling you the results, deadline reminders (if you want them), a satisfaction survey\n"
        "• Items: your Telegram user number, the date of death, your relationship, the neighbourhood (dong) of the deceased, whether the death is reported, whether an heir or the deceased has an address abroad (for the inheritance and acquisition tax deadlines), (optional) a contact phone\n"
        "• Retention: 1 year after everything is processed (then destroyed without delay)\n"
        "• You may refuse; you then cannot continue in this chat, but the community centre can help you in the same way.\n"
        "We never ask for a resident registration number and do not store one. Notice version: {version}"),
    "onestop.consent.agree": ("✅ 동의합니다", "✅ I agree"),
    "onestop.consent.refuse": ("동의하지 않음", "I do not agree"),
    "onestop.consent.refused": ("동의하지 않으셔서 진행하지 않았고, 아무것도 저장하지 않았습니다. 주민센터 방문이나 정부24로 신청하실 수 있습니다 (구청 ☎ {phone}).",
                                "You did not consent, so nothing was filed or kept. You can apply at a community centre or on Government24 (www.gov.kr; district office ☎ {phone})."),
    "onestop.ask.birth_date": ("아이가 태어난 날을 적어 주세요.\n예: 2026-03-02, 2026.3.2, 3월 2일, 오늘",
                               "When was the child born?\nFor example: 2026-03-02, 2026.3.2, today"),
    "onestop.ask.death_date": ("고인께서 돌아가신 날을 적어 주세요.\n예: 2026-11-20, 11월 20일, 어제",
                               "On what day did they pass away?\nFor example: 2026-11-20, yesterday"),
    "onestop.date.format": ("날짜를 알아보지 못했습니다. 2026-03-02 처럼 연-월-일로 적어 주세요.",
                            "I could not read that date. Please write it as year-month-day, e.g. 2026-03-02."),
    "onestop.date.future": ("오늘 이후의 날짜는 적을 수 없습니다. 날짜를 다시 확인해 주세요.",
                            "The date cannot be in the future. Please check it again."),
    "onestop.date.too_old_birth": ("출생 원스톱은 만 2세 미만 아이를 위한 신청입니다. 그보다 큰 아이의 지원은 주민센터에 문의해 주세요.",
                                   "The birth one-stop is for children under 2. For an older child please ask at the community centre."),
    "onestop.date.too_old_death": ("3년보다 오래전 일은 이 대화창에서 진행하기 어렵습니다. 주민센터에서 도와 드리겠습니다.",
                                   "For a death more than 3 years ago, please ask at a community centre; they will help you."),
    "onestop.fine.warning": (
        "⚠️ <b>출생신고 기한({deadline})이 {days}일 지났습니다.</b>\n"
        "아직 신고하지 않으셨다면 가족관계등록법 제122조에 따라 과태료가 부과될 수 있습니다. 지금은 <b>{band}</b> 구간으로 {fine}, "
        "출생통보를 받은 시·구청의 최고(7일 이내 신고 요청)에도 신고하지 않으면 제121조에 따라 {after}입니다.\n"
        "<b>과태료 기준</b> (늦어진 기간: 과태료 / 최고 불응 시)\n{table}",
        "⚠️ <b>The birth-registration deadline ({deadline}) passed {days} days ago.</b>\n"
        "If the birth is not registered yet, a fine may apply (Family Relationship Registration Act art. 122). You are now in the <b>{band}</b> band: {fine}; "
        "if a formal demand (report within 7 days) from the office is ignored, art. 121 raises it to {after}.\n"
        "<b>Fine schedule</b> (delay: fine / after an ignored demand)\n{table}"),
    "onestop.fine.row": ("• {band}: {fine} / {after}", "• {band}: {fine} / {after}"),
    "onestop.fine.if_reported": ("\n이미 신고하셨다면 이 안내는 넘기셔도 됩니다. 아직이라면 서둘러 주민센터나 정부24(전자가족관계등록시스템)에서 신고해 주세요.",
                                 "\nIf you have already registered the birth, ignore this. If not, please register it soon at a community centre or online."),
    "onestop.ask.order": ("이 아이는 몇째인가요?", "Which child is this?"),
    "onestop.order.first": ("첫째", "first child"),
    "onestop.order.second": ("둘째", "second child"),
    "onestop.order.third": ("셋째 이상", "third or later"),
    "onestop.ask.dong_birth": ("가구의 주소지 동을 골라 주세요.", "Which neighbourhood (dong) does the family live in?"),
    "onestop.ask.dong_death": ("고인의 주소지 동을 골라 주세요.", "Which neighbourhood (dong) did the deceased live in?"),
    "onestop.ask.reported_birth": ("출생신고는 하셨나요?", "Is the birth already registered?"),
    "onestop.ask.reported_death": ("사망신고는 하셨나요?", "Has the death been reported?"),
    "onestop.ask.abroad": ("상속인 가운데 외국에 주소를 둔 분이 있나요? 고인이 외국에 주소를 두셨나요?\n"
                           "외국에 주소가 있으면 상속세·취득세 신고 기한이 6개월이 아니라 9개월입니다 "
                           "(상속세: 고인이나 상속인 누구라도 — 상속세 및 증여세법 §67④, 취득세: 상속인 — 지방세법 §20①).",
                           "Does any heir have an address abroad, or did the deceased?\n"
                           "Then the inheritance and acquisition tax returns are due in 9 months, not 6 "
                           "(inheritance tax: the deceased or any heir — Inheritance and Gift Tax Act art. 67④; "
                           "acquisition tax: an heir — Local Tax Act art. 20①)."),
    "onestop.abroad.heir": ("예, 상속인 가운데 있습니다", "Yes, an heir lives abroad"),
    "onestop.abroad.deceased": ("고인만 외국에 주소를 두셨습니다", "Only the deceased lived abroad"),
    "onestop.abroad.none": ("아니요, 모두 국내입니다", "No, everyone lives in Korea"),
    "onestop.answer.yes": ("예", "Yes"),
    "onestop.answer.no": ("아니요", "No"),
    "onestop.answer.skip": ("답하지 않기", "Prefer not to say"),
    "onestop.answer.unanswered": ("답하지 않음", "not answered"),
    "onestop.answer.reported_yes": ("했습니다", "Yes, done"),
    "onestop.answer.reported_no": ("아직입니다", "Not yet"),
    "onestop.answer.remind_yes": ("알려 주세요", "Yes, remind me"),
    "onestop.answer.remind_no": ("받지 않겠습니다", "No reminders"),
    "onestop.ask.recipient": ("기초생활보장 수급 가구이신가요? (선택)\n해산급여와 기저귀·조제분유 지원 대상인지 확인하려는 질문입니다. 답하지 않으셔도 다른 신청에는 영향이 없습니다.",
                              "Does the household receive basic livelihood benefits? (optional)\nThis only checks the childbirth benefit and the diaper/formula support; not answering changes nothing else."),
    "onestop.ask.heating": ("셋째 이상 가구는 난방요금 감면도 받을 수 있습니다. 어떤 난방을 쓰시나요?",
                            "Families with three or more children can get a heating discount. How is your home heated?"),
    "onestop.heating.city_gas": ("도시가스", "City gas"),
    "onestop.heating.district": ("지역난방", "District heating"),
    "onestop.heating.other": ("그 밖의 난방 / 모름", "Other / not sure"),
    "onestop.list.head": ("<b>받으실 수 있는 지원</b> (출생일 {date}, {order}, {dong})",
                          "<b>Support you can apply for</b> (born {date}, {order}, {dong})"),
    "onestop.list.item": ("\n<b>{i}. {name}</b> — {rule}\n   {amount} · 담당: {handler}\n   필요: {needs}\n   근거: {basis}",
                          "\n<b>{i}. {name}</b> — {rule}\n   {amount} · handled by: {handler}\n   Needs: {needs}\n   Basis: {basis}"),
    "onestop.list.section.dong": ("🏢 <b>동 주민센터에서 처리하는 지원</b>", "🏢 <b>Handled by the community centre</b>"),
    "onestop.list.section.health": ("🏥 <b>보건소에서 처리하는 지원</b>", "🏥 <b>Handled by the public health centre</b>"),
    "onestop.list.section.tax": ("🧾 <b>세무과에서 처리하는 지원</b>", "🧾 <b>Handled by the tax division</b>"),
    "onestop.list.section.outside": ("🔌 <b>다른 기관의 감면 (기관별로 동의를 받은 뒤 전달)</b>",
                                     "🔌 <b>Discounts from other bodies (passed on only with your consent to each)</b>"),
    "onestop.list.first_year": ("첫해 {amount}", "first year {amount}"),
    "onestop.list.first_year_max": ("첫해 최대 {amount}", "first year up to {amount}"),
    "onestop.list.later": ("첫해에는 없음 (나중에 시작)", "nothing in the first year (starts later)"),
    "onestop.list.amount_unknown": ("금액은 기관 기준에 따름", "amount set by the body"),
    "onestop.list.unconfirmed": (" ⚠️ 확인 필요", " ⚠️ to be confirmed"),
    "onestop.list.not_combined": ("\n• {name}: {kept:와/과} 함께 받을 수 없어 {kept}만 신청합니다.",
                                  "\n• {name}: cannot be combined with {kept}, so only {kept} is applied for."),
    "onestop.list.total": ("\n<b>첫해 예상 합계: {amount}</b> (확인된 금액만)",
                           "\n<b>Expected first-year total: {amount}</b> (confirmed amounts only)"),
    "onestop.list.total_unconfirmed": ("⚠️ 확인이 필요한 금액·상한 {amount:은/는} 합계에 넣지 않았습니다.",
                                       "⚠️ Amounts still to be confirmed or caps ({amount}) are not in the total."),
    "onestop.list.not_asked": (
        "\n<i>여성장애인 출산비용, KTX·SRT 다자녀 할인처럼 장애 정보 같은 민감정보가 필요하거나 다른 기관 소관인 지원은 여기서 묻지 않습니다. 해당되시면 주민센터나 정부24에서 신청해 주세요.</i>",
        "\n<i>Support that needs sensitive data such as a disability, or that other bodies run (birth costs for women with disabilities, KTX/SRT multi-child discounts), is not asked here; if it applies, ask at the community centre or on Government24 (www.gov.kr).</i>"),
    "onestop.amount.monthly_age": ("월 {amount} ({age})", "{amount}/month ({age})"),
    "onestop.amount.monthly": ("월 {amount}", "{amount}/month"),
    "onestop.amount.add_on": (" + 지역 추가 월 {amount} ({start}~{end})", " + regional add-on {amount}/month ({start} to {end})"),
    "onestop.amount.lump": ("{amount} (한 번)", "{amount} (once)"),
    "onestop.amount.valid_until": (", {until}까지 사용", ", usable up to and including {until}"),
    "onestop.amount.paid_from_late": (" · {month}분부터 지급 (출생 후 {days}일이 지나 신청하면 신청한 달부터)",
                                      " · paid from {month} (applied for more than {days} days after birth: from the month of the application)"),
    "onestop.amount.monthly_cap": ("월 최대 {amount} 감면", "up to {amount}/month off"),
    "onestop.amount.unknown": ("금액은 기관 기준", "amount set by the body"),
    "onestop.age.years": ("{n}세", "age {n}"),
    "onestop.age.months": ("{lo}~{hi}개월", "{lo}–{hi} months"),
    "onestop.btn.next_consent": ("다음: 기관별 정보 제공 동의", "Next: consent per outside body"),
    "onestop.btn.next_summary": ("다음: 신청 내용 확인", "Next: review"),
    "onestop.provision": (
        "<b>개인정보 제3자 제공 동의 ({i}/{n}) — 개인정보 보호법 제17조</b>\n"
        "• 제공받는 자: {recipient}\n• 이용 목적: {purpose}\n• 제공 항목: {items}\n• 보유·이용 기간: {retention}\n"
        "• 동의를 거부할 권리가 있습니다. 거부하시면 <b>{services}</b>만 신청(전달)되지 않고 나머지는 그대로 진행됩니다.{direct}",
        "<b>Consent to provide personal data to a third party ({i}/{n}) — PIPA art. 17</b>\n"
        "• Recipient: {recipient}\n• Purpose: {purpose}\n• Items: {items}\n• Retention: {retention}\n"
        "• You may refuse. Then only <b>{services}</b> is not applied for (passed on); everything else goes ahead.{direct}"),
    "onestop.provision.direct_phone": (" 직접 신청하시려면 ☎ {phone}", " To apply yourself: ☎ {phone}"),
    "onestop.provision.no_phone": (" 이 기관의 직접 신청 전화번호는 아직 안내하지 못합니다. 구청(☎ {phone})이 도와 드립니다.",
                                   " We cannot give this body's own number yet; the district office (☎ {phone}) can help."),
    "phone.no_area_code": (" (국번 없이)", " (no area code)"),
    "onestop.provision.agree": ("✅ 제공에 동의합니다", "✅ I agree to this provision"),
    "onestop.provision.refuse": ("동의하지 않음 (이 항목만 빼기)", "I do not agree (leave this one out)"),
    "onestop.provision.refused_ok": ("알겠습니다. {recipient}에는 아무것도 전달하지 않습니다.",
                                     "Understood. Nothing will be passed to {recipient}."),
    "onestop.purpose.apply": ("{service} 신청·적용", "applying {service}"),
    "onestop.fact_name.birth_date": ("아이 출생일", "the child's birth date"),
    "onestop.fact_name.order": ("출생 순위", "birth order"),
    "onestop.fact_name.dong": ("주소지 동", "the neighbourhood (dong)"),
    "onestop.fact_name.report_made": ("신고 여부", "whether it is reported"),
    "onestop.fact_name.recipient": ("기초생활수급 여부", "basic-livelihood status"),
    "onestop.fact_name.heating": ("난방 방식", "heating"),
    "onestop.fact_name.death_date": ("돌아가신 날", "the date of death"),
    "onestop.fact_name.relationship": ("신고인과의 관계", "your relationship"),
    "onestop.fact_name.contact": ("연락처(남기신 경우)", "a contact phone (if you leave one)"),
    "onestop.fact_name.receipt": ("접수번호", "the receipt number"),
    "onestop.ask.phone": ("기관에서 연락드릴 전화번호를 적어 주세요 (선택). 동의하신 기관에만 전달되고, 저장할 때는 암호화합니다. 남기지 않으시면 접수번호와 구청 창구 연락처만 전달됩니다.",
                          "A phone number the bodies can call you on (optional). It goes only to the bodies you agreed to and is stored encrypted. Without it they only get the receipt number and the district desk's number."),
    "onestop.ask.relationship": ("고인과 어떤 관계이신가요? (가족관계등록법 제85조의 신고인)",
                                 "What is your relationship to the deceased? (reporters under the Family Relationship Registration Act art. 85)"),
    "onestop.ask.reminders": ("사망신고·상속포기·상속세 같은 기한이 다가오면 이 대화창으로 미리 알려 드릴까요? 언제든 그만 받으실 수 있습니다.",
                              "Shall we remind you here before the deadlines (death report, renouncing the inheritance, inheritance tax)? You can stop them at any time."),
    "onestop.summary.birth": (
        "<b>신청 내용 확인</b>\n아이 출생일: {date} · {order} · {dong}\n출생신고: {reported}\n연락처: {phone}\n\n"
        "<b>신청할 항목 {n}건</b>\n{items}\n첫해 예상 합계(확인된 금액): {total}",
        "<b>Please review</b>\nBorn: {date} · {order} · {dong}\nBirth registered: {reported}\nContact: {phone}\n\n"
        "<b>{n} items to apply for</b>\n{items}\nExpected first-year total (confirmed amounts): {total}"),
    "onestop.summary.death": (
        "<b>신고 내용 확인</b>\n돌아가신 날: {date}\n신고인: {relationship}\n고인의 동: {dong}\n사망신고: {reported}\n외국 주소: {abroad}\n연락처: {phone}\n기한 알림: {reminders}\n\n"
        "<b>알려 드릴 곳 {n}곳</b>\n{items}",
        "<b>Please review</b>\nDate of death: {date}\nYou are: {relationship}\nNeighbourhood: {dong}\nDeath reported: {reported}\nAddress abroad: {abroad}\nContact: {phone}\nReminders: {reminders}\n\n"
        "<b>{n} places to tell</b>\n{items}"),
    "onestop.summary.item": ("• {name} → {handler}", "• {name} → {handler}"),
    "onestop.summary.item_self": ("• {name}", "• {name}"),
    "onestop.summary.skipped": ("\n\n<b>동의하지 않아 신청하지 않는 항목</b>\n{items}", "\n\n<b>Not applied for (no consent)</b>\n{items}"),
    "onestop.summary.skipped_death": ("\n\n<b>동의하지 않아 알리지 않는 곳</b>\n{items}", "\n\n<b>Not told (no consent)</b>\n{items}"),
    "onestop.summary.no_phone": ("남기지 않음", "none"),
    "onestop.summary.report_deadline": ("\n\n출생신고 기한: {deadline} ({left}). 일주일 전과 마지막 날에 알려 드립니다.",
                                        "\n\nBirth registration deadline: {deadline} ({left}). We will remind you a week before and on the last day."),
    "onestop.btn.submit": ("📨 신청하기", "📨 Apply"),
    "onestop.btn.submit_death": ("📨 알려 주세요", "📨 Please tell them"),
    "onestop.already_submitted": ("이미 접수된 신청입니다 (접수번호 {receipt}). /status 에서 진행 상황을 보실 수 있습니다.",
                                  "This was already filed (receipt {receipt}). See /status for progress."),
    "onestop.submitted_birth": ("축하드립니다! 접수되었습니다. 접수번호 <b>{receipt}</b>.\n{n}개 항목을 각 담당 부서와 기관에 보냈습니다. 항목마다 처리되면 알려 드리고, 모두 끝나면 한 번 더 알려 드립니다. /status 에서 언제든 항목별 진행 상황을 보실 수 있습니다.",
                                "Congratulations! Your application is filed: receipt <b>{receipt}</b>.\n{n} items went to the offices and bodies in charge. We will tell you as each is done, and once more when all are. See /status for each item at any time."),
    "onestop.submitted_death": ("접수했습니다. 접수번호 <b>{receipt}</b>.\n{n}곳에 알리고 있습니다. 각 기관이 따로 안내를 드릴 수 있으며, 처리되는 대로 이 대화창에서도 알려 드리겠습니다. /status 에서 언제든 확인하실 수 있습니다.",
                                "Received: receipt <b>{receipt}</b>.\nWe are telling {n} places. Each may contact you with its own guidance, and we will let you know here as each is done. See /status at any time."),
    "onestop.checklist.head": ("<b>챙기셔야 할 일과 기한</b> (돌아가신 날 {date} 기준)", "<b>What to do, and by when</b> (from the date of death, {date})"),
    "onestop.checklist.line": ("\n📅 <b>{name}</b>: {deadline}까지 ({left})\n   어디서: {where}\n   근거: {basis}",
                               "\n📅 <b>{name}</b>: by {deadline} ({left})\n   Where: {where}\n   Basis: {basis}"),
    "onestop.checklist.done": ("\n✅ {name}: 하셨다고 알려 주셨습니다.", "\n✅ {name}: you told us it is done."),
    "onestop.checklist.foot": ("\n기한의 마지막 날이 토요일·공휴일이면 다음 평일까지입니다. 사망신고 기한은 돌아가신 사실을 안 날부터 셉니다. 상속 관련 기한은 사정에 따라 달라질 수 있으니 가정법원·세무서에 확인해 주세요.",
                               "\nA last day on a Saturday, Sunday or public holiday moves to the next working day. The death-report period runs from the day you learned of the death. Inheritance deadlines can differ with circumstances; please confirm with the family court or tax office."),
    "onestop.checklist.reminders_on": ("\n\n기한 전에 이 대화창으로 알려 드리겠습니다. 그만 받으시려면 알림의 [알림 그만 받기]를 눌러 주세요.",
                                       "\n\nWe will remind you here before each date. To stop, press [Stop reminders] on any reminder."),
    "onestop.checklist.reminders_off": ("\n\n원하신 대로 기한 알림은 보내지 않습니다. 이 목록은 /status 에서 다시 보실 수 있습니다.",
                                        "\n\nAs you chose, no reminders will be sent. You can see this list again in /status."),
    "onestop.left.days": ("{n}일 남음", "{n} days left"),
    "onestop.left.today": ("오늘까지", "today is the last day"),
    "onestop.left.passed": ("{n}일 지남", "{n} days ago"),
    "onestop.state.pending": ("신청됨", "filed"),
    "onestop.state.received": ("접수", "received"),
    "onestop.state.supplement": ("보완요청", "more needed"),
    "onestop.state.done": ("처리완료", "done"),
    "onestop.state.notified": ("기관에 전달함 (확인 대기)", "sent (awaiting acknowledgement)"),
    "onestop.state.skipped": ("신청 안 함 (동의하지 않음)", "not applied (no consent)"),
    "onestop.status.head": ("<b>{kind} {receipt}</b> — {state} ({done}/{n})\n신청: {filed}",
                            "<b>{kind} {receipt}</b> — {state} ({done}/{n})\nFiled: {filed}"),
    "onestop.status.open": ("진행 중", "in progress"),
    "onestop.status.completed": ("모두 완료", "all done"),
    "onestop.status.item": ("{icon} {service} — {handler}: {state}{note}", "{icon} {service} — {handler}: {state}{note}"),
    "onestop.status.item_self": ("{icon} {service}: {state}{note}", "{icon} {service}: {state}{note}"),
    "onestop.status.note": ("\n   💬 {note}", "\n   💬 {note}"),
    "onestop.status.birth_report": ("출생신고 기한: {deadline} ({left})", "Birth registration deadline: {deadline} ({left})"),
    "onestop.push.done": ("✅ [{receipt}] <b>{service}</b> — {handler}에서 처리를 마쳤습니다.{note}",
                          "✅ [{receipt}] <b>{service}</b> — {handler} has finished.{note}"),
    "onestop.push.relayed": ("✅ [{receipt}] <b>{service}</b> — 구청이 {handler}에 전달했습니다.{note}",
                             "✅ [{receipt}] <b>{service}</b> — the district passed it to {handler}.{note}"),
    "onestop.push.note": ("\n💬 {note}", "\n💬 {note}"),
    "onestop.push.acknowledged": ("✅ [{receipt}] <b>{service}</b> — {handler}에 전달되어 확인을 받았습니다. {follow_up}",
                                  "✅ [{receipt}] <b>{service}</b> — {handler} received and acknowledged it. {follow_up}"),
    "onestop.push.supplement": ("⚠️ [{receipt}] <b>{service}</b> — {handler}에서 보완을 요청했습니다:\n{note}\n\n아래 [답하기]로 답하시거나 ☎ {phone} 로 연락해 주세요.",
                                "⚠️ [{receipt}] <b>{service}</b> — {handler} needs something more:\n{note}\n\nAnswer with [Reply] below, or call ☎ {phone}."),
    "onestop.push.completed_birth": (
        "🎉 [{receipt}] 출생 원스톱 신청이 모두 처리되었습니다 ({n}건 완료).\n{items}\n\n"
        "한 번의 신청으로 모든 처리가 끝났습니다. 아이의 탄생을 다시 한번 축하드립니다!",
        "🎉 [{receipt}] Your birth one-stop application is complete ({n} items done).\n{items}\n\n"
        "Everything was handled from one application. Congratulations again on your baby!"),
    "onestop.push.completed_death": (
        "[{receipt}] 알려 주신 모든 곳에 전달과 처리가 끝났습니다 ({n}곳).\n{items}\n\n"
        "각 기관이 필요한 안내를 따로 드릴 수 있습니다. 챙기실 기한은 /status 에서 다시 보실 수 있습니다. 다시 한번 깊은 위로를 드립니다.",
        "[{receipt}] Every place you asked us to tell has been told and has finished ({n}).\n{items}\n\n"
        "Each may send you its own guidance. The deadlines are in /status. Our deepest sympathy once more."),
    "onestop.btn.reply": ("답하기", "Reply"),
    "onestop.btn.reply_item": ("{service} 보완 답하기", "Reply about {service}"),
    "onestop.ask.reply": ("<b>{service}</b> 보완 요청에 답해 주세요 (5~1,000자). 주민등록번호는 적지 마세요.",
                          "Your answer about <b>{service}</b> (5–1,000 characters). Please do not include a resident registration number."),
    "onestop.reply_sent": ("{handler}에 답을 전했습니다. 처리되면 알려 드리겠습니다.", "Your answer went to {handler}. We will tell you when it is done."),
    "onestop.note_length": ("{lo}~{hi}자로 적어 주세요 (지금 {n}자).", "Please write {lo}–{hi} characters (now {n})."),
    "onestop.use_buttons": ("아래 버튼으로 답해 주세요.", "Please answer with the buttons below."),
    "onestop.remind.birth_report": (
        "⏰ [{receipt}] <b>{name}</b> 기한은 {deadline}까지입니다 ({left}).\n"
        "기한이 지나면 가족관계등록법 제122조에 따라 과태료가 부과될 수 있습니다. 주민센터나 정부24(전자가족관계등록시스템)에서 신고하실 수 있습니다.",
        "⏰ [{receipt}] <b>{name}</b> is due by {deadline} ({left}).\n"
        "After the deadline a fine may apply (Family Relationship Registration Act art. 122). You can register at a community centre or online."),
    "onestop.remind.death": ("[{receipt}] 챙기실 기한을 알려 드립니다.\n📅 <b>{name}</b>: {deadline}까지 ({left})\n어디서: {where}\n근거: {basis}",
                             "[{receipt}] A deadline to keep in mind.\n📅 <b>{name}</b>: by {deadline} ({left})\nWhere: {where}\nBasis: {basis}"),
    "onestop.btn.reported": ("신고했어요", "Done, reported"),
    "onestop.btn.stop_reminders": ("알림 그만 받기", "Stop reminders"),
    "onestop.reported_ok": ("알려 주셔서 고맙습니다. 신고 기한 알림은 더 보내지 않습니다.", "Thank you. No more reminders about the report."),
    "onestop.reminders_stopped": ("이 신청의 기한 알림을 더 보내지 않습니다. 기한은 /status 에서 보실 수 있습니다.",
                                  "No more reminders for this application. The dates stay in /status."),
    "onestop.rate.ask": ("[{receipt}] 원스톱 처리에 얼마나 만족하셨나요? 평가는 처리한 부서({departments})에 반영됩니다.",
                         "[{receipt}] How satisfied were you with the one-stop? Your rating counts for the offices that handled it ({departments})."),
    "onestop.rate.not_offered.handled": ("[{receipt}] 이 원스톱 신청의 일부를 직접 처리하셔서 만족도 평가는 받지 않습니다. 부서 평가는 민원인만 합니다.",
                                         "[{receipt}] You handled part of this one-stop yourself, so it is not offered for rating: only residents rate a department."),
    "onestop.rate.not_offered.own_staff": ("[{receipt}] 처리한 부서가 모두 소속 부서라 만족도 평가는 받지 않습니다. 부서 평가는 그 부서 직원이 아닌 민원인만 합니다.",
                                           "[{receipt}] Every office that handled it is your own department, so it is not offered for rating: a department is rated only by people outside it."),
    "onestop.fact.birth_date": ("아이 출생일: {value}", "Child's birth date: {value}"),
    "onestop.fact.order": ("출생 순위: {value}", "Birth order: {value}"),
    "onestop.fact.dong": ("동: {value}", "Neighbourhood (dong): {value}"),
    "onestop.fact.report_made_birth": ("출생신고: {value}", "Birth registered: {value}"),
    "onestop.fact.report_made_death": ("사망신고: {value}", "Death reported: {value}"),
    "onestop.fact.recipient": ("기초생활수급 가구: {value}", "Basic-livelihood household: {value}"),
    "onestop.fact.heating": ("난방: {value}", "Heating: {value}"),
    "onestop.fact.death_date": ("돌아가신 날: {value}", "Date of death: {value}"),
    "onestop.fact.relationship": ("신고인: {value}", "Reporter: {value}"),
    "onestop.fact.contact": ("연락처: {value}", "Contact: {value}"),
    "onestop.op.new": ("🆕 원스톱 세부 신청이 들어왔습니다.", "🆕 A new one-stop sub-request."),
    "onestop.op.reply": ("💬 가족이 보완 요청에 답했습니다:\n{answer}", "💬 The family answered the request for more:\n{answer}"),
    "onestop.op.no_officer": ("📌 {department}에 담당자가 지정되어 있지 않아 알려 드립니다. 담당자를 지정해 주세요 (관리자 /grant).",
                              "📌 {department} has no officer yet, so you are told instead. Please have one assigned (admin /grant)."),
    "onestop.op.withdrawn": ("↩️ 가족이 원스톱 신청을 취하하고 개인정보 삭제를 요청했습니다. 이 항목은 더 처리하지 않으셔도 됩니다.",
                             "↩️ The family withdrew the one-stop application and asked for their data to be deleted. No further work is needed on this item."),
    "onestop.op.relay_failed": ("⚠️ 기관 통보가 전달되지 않아 직접 전달이 필요합니다.", "⚠️ The notice could not be delivered; please pass it on by hand."),
    # a department's group chat (workflows/group_cards.py): only what the whole group may see
    "onestop.group.card": ("{head}\n<b>[{kind} {receipt}] {service}</b>\n{dong} · 상태: {state}\n\n"
                           "🔒 가족이 알려 준 날짜·관계·답변과 연락처는 1:1 대화에서 봅니다.",
                           "{head}\n<b>[{kind} {receipt}] {service}</b>\n{dong} · State: {state}\n\n"
                           "🔒 The dates, relationship, answers and phone the family gave are shown in a private chat."),
    "onestop.group.reply": ("💬 가족이 보완 요청에 답했습니다.", "💬 The family answered the request for more."),
    "onestop.group.update": ("📌 원스톱 세부 신청 알림", "📌 One-stop sub-request update"),
    "onestop.op.card": ("<b>[{kind} {receipt}] {service}</b>\n담당: {department} · 상태: {state}\n신청: {filed}\n{facts}",
                        "<b>[{kind} {receipt}] {service}</b>\nOffice: {department} · State: {state}\nFiled: {filed}\n{facts}"),
    "onestop.op.relay": ("\n📮 {body}에 보낼 통보 채널이 설정되지 않았거나 전달에 실패했습니다. 직접 전달한 뒤 [처리완료]를 눌러 주세요.",
                         "\n📮 There is no working channel to {body}. Pass it on by hand, then press [Done]."),
    "onestop.op.supplement_open": ("\n⚠️ 보완요청 중: {note}", "\n⚠️ Waiting for the family: {note}"),
    "onestop.op.btn_take": ("접수", "Receive"),
    "onestop.op.btn_done": ("처리완료", "Done"),
    "onestop.op.btn_supplement": ("보완요청", "Ask for more"),
    "onestop.op.btn_no_note": ("메시지 없이 완료", "Done, no message"),
    "onestop.op.taken": ("접수했습니다.", "Received."),
    "onestop.op.btn_contact": ("📞 가족 연락처 보기", "📞 Family's contact"),
    "onestop.op.contact": ("<b>{receipt}</b> 가족 연락처: {phone}\n{body}에 직접 전달할 때만 쓰세요. 열람 기록이 남습니다.",
                           "<b>{receipt}</b> family's contact: {phone}\nUse it only to pass the notice on to {body}. This view is recorded."),
    "onestop.op.no_contact": ("이 항목에는 볼 수 있는 가족 연락처가 없습니다.", "There is no family contact to show for this item."),
    "onestop.op.ask_done_note": ("가족에게 전할 말이 있으면 적어 주세요 (5~1,000자). 없으면 [메시지 없이 완료].",
                                 "Anything to tell the family? (5–1,000 characters). If not, press [Done, no message]."),
    "onestop.op.ask_supplement": ("가족에게 보낼 보완 요청을 적어 주세요 (5~1,000자): 무엇이 더 필요하고 어떻게 내면 되는지.",
                                  "Write the request to the family (5–1,000 characters): what is missing and how to provide it."),
    "onestop.op.done": ("[{receipt}] {service}: 처리완료로 기록하고 가족에게 알렸습니다.", "[{receipt}] {service}: recorded as done; the family was told."),
    "onestop.op.supplement_sent": ("[{receipt}] 보완 요청을 가족에게 보냈습니다.", "[{receipt}] The request went to the family."),
    "onestop.op.already_final": ("이미 처리가 끝난 항목입니다.", "This item is already finished."),
    "onestop.op.list_empty": ("처리할 원스톱 세부 신청이 없습니다.", "No open one-stop sub-requests."),
    "onestop.agency.chat": ("📨 <b>{district} 원스톱 통보</b> [{kind} {receipt}]\n서비스: {service}\n{facts}\n{contact}\n확인하셨으면 아래 [수신 확인]을 눌러 주세요.",
                            "📨 <b>{district} one-stop notice</b> [{kind} {receipt}]\nService: {service}\n{facts}\n{contact}\nPlease press [Acknowledge receipt] below."),
    "onestop.agency.contact_phone": ("연락처: 가족이 남긴 번호가 있습니다. 구 원스톱 창구(☎ {phone})로 접수번호를 알려 주시면 안내합니다.",
                                     "Contact: the family left a number; call the district desk (☎ {phone}) with the receipt number."),
    "onestop.agency.contact_none": ("연락처: 남기지 않음 — 안내는 구 원스톱 창구(☎ {phone})를 통해 주세요.",
                                    "Contact: none left — please go through the district desk (☎ {phone})."),
    "onestop.agency.ack_btn": ("✅ 수신 확인", "✅ Acknowledge receipt"),
    "onestop.agency.ack_done": ("수신 확인을 기록했습니다.", "Acknowledgement recorded."),
    "onestop.agency.ack_already": ("이미 수신 확인된 통보입니다.", "Already acknowledged."),
    "onestop.agency.ack_recorded": ("수신 확인 기록: {at}", "Acknowledged at {at}"),
    # --- registration license tax one-stop (등록면허세 원스톱, issue 4: /licensetax, /taxinbox, /verify) ---
    "lt.consent": (
        "<b>등록면허세 원스톱 — 개인정보 수집·이용 안내</b>\n"
        "• 목적: 등록면허세(면허분) 고지서 발급, 납부 확인, 인허가기관 통보, 환급 처리 (지방세법 §34–§38)\n"
        "• 항목: 면허 종류, 상호, 사업장 동, (필요하면) 영업장 면적, (선택) 납세자 이름과 면허증 받을 예정일\n"
        "• 인허가기관에는 고지번호·면허·상호·사업장 동·납부액·납부일시·검증코드만 보내고 납세자 이름은 보내지 않습니다.\n"
        "• 보유 기간: 세무 기록으로 법령이 정한 기간 (납세자 이름은 암호화해 보관)\n"
        "주민등록번호는 묻지 않습니다. 동의하지 않으시면 구청 세무과에서 신고할 수 있습니다.",
        "<b>Registration licence tax one-stop — how we use your data</b>\n"
        "• Purpose: issuing the tax notice, confirming payment, telling the licensing body, refunds (Local Tax Act arts. 34–38)\n"
        "• Items: licence type, business name, the business's dong, (if needed) the floor area, (optional) the taxpayer's name and the expected licence date\n"
        "• The licensing body gets the notice number, licence, business name, dong, amount, payment time and verification code — never the taxpayer's name.\n"
        "• Kept for the period the law sets for tax records (the taxpayer's name encrypted)\n"
        "We never ask for a resident registration number. If you do not agree, you can file at the district's tax division."),
    "lt.not_available": ("이 구에서는 아직 대화창 등록면허세 납부를 받지 않습니다. 구청 세무과(☎ {phone})에 문의해 주세요.",
                         "Licence tax is not yet available in this chat here; please contact the district (☎ {phone})."),
    "lt.btn.consent": ("✅ 동의하고 계속", "✅ Agree and continue"),
    "lt.history": ("<b>내 등록면허세 고지</b>\n{lines}", "<b>Your licence tax notices</b>\n{lines}"),
    "lt.history_line": ("• {no} {licence} — {state} ({amount})", "• {no} {licence} — {state} ({amount})"),
    "lt.ask_licence": (
        "어떤 면허의 등록면허세인가요? 아래에서 고르거나, 검색어를 보내 주세요 (예: 음식점, 노래방, 통신판매). 목록 {n}개",
        "Which licence is the tax for? Pick one below or send a keyword (e.g. restaurant, karaoke, online). {n} types"),
    "lt.search_results": ("검색 결과 {n}개입니다. 골라 주세요.", "{n} matching licence types. Pick one."),
    "lt.search_none": ("‘{query}’에 맞는 면허를 찾지 못했습니다. 다른 말로 검색하거나 목록에서 골라 주세요. 목록에 없는 면허는 세무과에 문의해 주세요.",
                       "No licence type matches ‘{query}’. Try another word or pick from the list; ask the tax division about licences not listed."),
    "lt.btn.all_licences": ("📋 전체 목록", "📋 Full list"),
    "lt.unconfirmed_note": ("⚠️ 이 면허의 종은 시행령 별표 1 원문으로 확인되지 않았습니다. 세무과가 종을 확인한 뒤 고지서를 보내 드립니다.",
                            "⚠️ This licence's class is not confirmed from the decree's table 1. The tax division confirms it before the notice is issued."),
    "lt.no_class_note": ("⚠️ 이 면허의 종은 영업장 면적 등에 따라 달라지며 아직 확인되지 않았습니다. 면적을 알려 주시면 세무과가 종을 정해 고지서를 보내 드립니다.",
                         "⚠️ This licence's class depends on the floor area and is not confirmed yet. Give us the area and the tax division sets the class before the notice."),
    "lt.ask_kind": ("<b>{licence}</b>\n이번 신청은 어떤 경우인가요?", "<b>{licence}</b>\nWhat are you applying for?"),
    "lt.ask_change": ("<b>{licence}</b> 변경면허\n무엇이 바뀌나요?\n변경면허는 면허를 받는 사람(사업주체)이 바뀌거나 면허의 종이 상위 종으로 올라갈 때만 등록면허세를 냅니다. "
                      "대표자 이름만 바뀌는 등 그 밖의 변경은 비과세입니다 (지방세법 시행령 §40②1). 매년 1월 1일 갱신분(정기분)은 이와 별도로 조례가 정한 달에 부과됩니다.",
                      "<b>{licence}</b>: changed licence\nWhat changes?\nA changed licence is taxed only when the licensee (the business owner) changes or the licence moves up to a higher class. "
                      "Any other change, such as only a new representative's name, is not taxed (Local Tax Decree art. 40②1). The yearly renewal on 1 January is levied separately, in the month the ordinance sets."),
    "lt.non_taxable": ("✅ 등록면허세가 과세되지 않는 경우입니다 (비과세).\n• {case}\n• 근거: {basis}\n고지서는 발급되지 않으며 납부할 세금이 없습니다. 인허가기관에 이 안내를 보여 주세요.",
                       "✅ No registration licence tax is due (non-taxable).\n• {case}\n• Basis: {basis}\nNo notice is issued and nothing is to be paid. Show this to the licensing body."),
    "lt.non_taxable_check": ("세부 요건은 세무과(☎ {phone})에 확인해 주세요.", "Please check the conditions with the tax division (☎ {phone})."),
    "lt.figure.area_m2.ask": ("영업장 면적을 ㎡나 평으로 보내 주세요. 예: 85, 85.5, 30평\n평은 1평 = 400/121㎡ (약 3.3058㎡)로 바꿔 계산합니다.",
                              "Send the business's floor area in ㎡ or in 평, e.g. 85, 85.5, 30평\n평 is converted at 1평 = 400/121 ㎡ (about 3.3058 ㎡)."),
    "lt.figure.area_m2.value": ("{n}㎡", "{n} ㎡"),
    "lt.figure.area_pyeong": ("{n}㎡ ({p}평 × 400/121㎡, 1평 ≈ 3.3058㎡)", "{n} ㎡ ({p} 평 × 400/121 ㎡, 1 평 ≈ 3.3058 ㎡)"),
    "lt.figure.staff.ask": ("종업원 수를 숫자로 보내 주세요. 예: 12", "Send the number of employees, e.g. 12"),
    "lt.figure.staff.value": ("{n}명", "{n} people"),
    "lt.ask_body": ("면허를 내주는 기관(인허가기관)을 골라 주세요. 납부가 확인되면 이 기관에 바로 알립니다.",
                    "Pick the body that grants the licence. It is told as soon as the payment is confirmed."),
    "lt.ask_business": ("상호(사업장 이름)를 보내 주세요. ({n}자 이내)", "Send the business name (up to {n} characters)."),
    "lt.ask_dong": ("사업장이 있는 동을 골라 주세요 (사업장이 없으면 주소지 동, 지방세법 §25②).",
                    "Pick the dong of the business (your home dong if there is no business premises; Local Tax Act art. 25②)."),
    "lt.ask_taxpayer": ("고지서에 적을 납세자 이름을 보내 주세요 ({n}자 이내). 적지 않으려면 [건너뛰기].",
                        "Send the taxpayer's name for the notice (up to {n} characters), or press Skip."),
    "lt.ask_issue_date": ("면허증을 받을 예정일을 알면 보내 주세요 (예: {example}, {example_short}, 오늘, 내일). 납부기한이 그 전날로 정해집니다. 모르면 [건너뛰기].",
                          "If you know when the licence certificate will be issued, send the date (e.g. {example}, {example_short} as month/day, today, tomorrow); the tax falls due the day before. Otherwise press Skip."),
    "lt.summary": (
        "<b>신청 내용 확인</b>\n면허: {licence}\n신청 구분: {kind}\n종: {cls} — {confirmed}\n영업장 면적·인원: {figure}\n"
        "과세 구분: {column}\n{amount}\n근거: {basis}\n인허가기관: {body}\n상호: {business} · 사업장: {dong}\n"
        "납세자: {taxpayer}\n면허증 받을 예정일: {issue}\n납부기한(예정): {due}\n맞으면 [고지서 받기]를 눌러 주세요.",
        "<b>Please check</b>\nLicence: {licence}\nApplication: {kind}\nClass: {cls} — {confirmed}\nFloor area / staff: {figure}\n"
        "Column: {column}\n{amount}\nBasis: {basis}\nLicensing body: {body}\nBusiness: {business} · Place: {dong}\n"
        "Taxpayer: {taxpayer}\nExpected licence date: {issue}\nDue date (expected): {due}\nIf this is right, press Get the notice."),
    "lt.summary.amount": ("세액: <b>{amount}</b>", "Tax: <b>{amount}</b>"),
    "lt.summary.amount_expected": ("예상 세액: <b>{amount}</b> ⚠️ 세무과가 종을 확인한 뒤 확정됩니다",
                                   "Expected tax: <b>{amount}</b> ⚠️ final once the tax division confirms the class"),
    "lt.summary.amount_officer": ("세액: 세무과가 종을 정한 뒤 알려 드립니다 (시행령 별표 1)",
                                  "Tax: set once the tax division decides the class (decree table 1)"),
    "lt.summary.amount_change": ("예상 세액: <b>{amount}</b> ⚠️ 세무과가 과세 여부(시행령 §40②1)와 종을 확인한 뒤 확정됩니다. 비과세로 확인되면 낼 세금이 없습니다.",
                                 "Expected tax: <b>{amount}</b> ⚠️ final once the tax division checks whether it is taxed at all (decree art. 40②1) and the class. If it is not taxable, nothing is due."),
    "lt.summary.amount_change_unknown": ("세액: 세무과가 과세 여부(시행령 §40②1)와 종을 정한 뒤 알려 드립니다. 비과세로 확인되면 낼 세금이 없습니다.",
                                         "Tax: set once the tax division decides whether it is taxed at all (decree art. 40②1) and the class. If it is not taxable, nothing is due."),
    "lt.btn.submit": ("🧾 고지서 받기", "🧾 Get the notice"),
    "lt.already": ("이미 신청했습니다 (고지번호 {no}).", "Already filed (notice {no})."),
    "lt.submitted_issued": ("고지서를 발급했습니다 (고지번호 {no}). 아래 고지서와 납부 계좌를 확인해 주세요.",
                            "Your notice {no} is issued. See the notice and the account to pay into below."),
    "lt.submitted_waiting": ("신청을 받았습니다 (고지번호 {no}). 세무과가 종을 확인하면 고지서를 바로 보내 드립니다. 문의: ☎ {phone}",
                             "Request received (notice {no}). The notice follows as soon as the tax division confirms the class. Questions: ☎ {phone}"),
    "lt.cancelled": ("등록면허세 신청을 취소했습니다. 입력하신 내용은 저장하지 않았습니다.",
                     "The licence tax request is cancelled; nothing you entered was kept."),
    "lt.text_expected": ("글로 적어서 보내 주세요.", "Please type your answer."),
    "lt.button_expected": ("아래 버튼으로 골라 주세요. 그만두려면 /cancel.", "Please use the buttons below, or /cancel to stop."),
    "lt.basis": ("지방세법 §34① {cls} · {column} — {where}: {area_basis}", "Local Tax Act art. 34① {cls} · {column} — {where}: {area_basis}"),
    "lt.class_n": ("제{n}종", "class {n}"),
    "lt.class_unknown": ("종 미확정", "class not settled"),
    "lt.area.dong": ("동 지역", "동 area"),
    "lt.area.eup_myeon": ("읍·면 지역", "읍·면 area"),
    "lt.amount_unknown": ("미정", "to be set"),
    "lt.notice": (
        "🧾 <b>등록면허세(면허분) 고지서</b> — {district}\n고지번호: <b>{no}</b>\n면허: {licence} · {cls} ({column})\n"
        "상호: {business} · 사업장: {dong}\n납세자: {taxpayer}\n인허가기관: {body}\n세액: <b>{amount}</b>\n"
        "납부기한: <b>{due}</b> — 면허증을 받기 전까지 (지방세법 §35①)\n"
        "납부 계좌: <b>{bank} {account}</b> (예금주 {holder}, 이 고지서 전용 가상계좌)\n근거: {basis}\n\n"
        "이 계좌로 입금하시면 방문 없이 납부가 끝납니다. 입금이 확인되면 영수증을 보내 드리고 {body}에 바로 알립니다. "
        "면허를 받지 못하게 되면 아래 버튼을 눌러 주세요.",
        "🧾 <b>Registration licence tax notice</b> — {district}\nNotice no.: <b>{no}</b>\nLicence: {licence} · {cls} ({column})\n"
        "Business: {business} · Place: {dong}\nTaxpayer: {taxpayer}\nLicensing body: {body}\nTax: <b>{amount}</b>\n"
        "Due: <b>{due}</b> — before the licence certificate is issued (Local Tax Act art. 35①)\n"
        "Pay into: <b>{bank} {account}</b> (holder {holder}; a virtual account for this notice only)\nBasis: {basis}\n\n"
        "Paying into this account is all it takes, no visit. Once it arrives you get a receipt and {body} is told at once. "
        "If the licence is refused, press the button below."),
    "lt.sheet.notice.title": ("등록면허세(면허분) 고지서", "Registration licence tax notice"),
    "lt.sheet.notice.note": ("면허증을 받기 전까지 납부하세요 (지방세법 §35①). 입금이 확인되면 인허가기관에 바로 알립니다.",
                             "Pay before the licence certificate is issued (Local Tax Act art. 35). The licensing body is told at once."),
    "lt.sheet.receipt.title": ("등록면허세 영수증", "Registration licence tax receipt"),
    "lt.sheet.receipt.note": ("인허가기관은 봇에서 /verify 고지번호 검증코드 로 확인할 수 있습니다.",
                              "Licensing bodies can check it in the bot: /verify <notice no> <code>."),
    "lt.sheet.stamp": ("납부 완료", "PAID"),
    "lt.sheet.notice_no": ("고지번호", "Notice no."),
    "lt.sheet.licence": ("면허", "Licence"),
    "lt.sheet.business": ("상호", "Business"),
    "lt.sheet.place": ("사업장", "Place"),
    "lt.sheet.body": ("인허가기관", "Licensing body"),
    "lt.sheet.class": ("종별·구분", "Class / column"),
    "lt.sheet.taxpayer": ("납세자", "Taxpayer"),
    "lt.sheet.amount": ("세액", "Amount"),
    "lt.sheet.due": ("납부기한", "Due date"),
    "lt.sheet.account": ("가상계좌", "Virtual account"),
    "lt.sheet.holder": ("예금주", "Account holder"),
    "lt.sheet.basis": ("근거", "Legal basis"),
    "lt.sheet.basis_en": ("지방세법 §34", "Local Tax Act art. 34"),
    "lt.sheet.paid_amount": ("납부액", "Amount paid"),
    "lt.sheet.paid_at": ("납부일시", "Paid at"),
    "lt.sheet.code": ("검증코드", "Verification code"),
    "lt.png.notice": ("고지서 {no} (보관용 이미지)", "Notice {no} (image to keep)"),
    "lt.receipt": (
        "✅ <b>등록면허세 영수증</b>\n고지번호: {no}\n면허: {licence} · {cls}\n상호: {business} · 사업장: {dong}\n"
        "납부액: <b>{amount}</b> · 납부일시: {paid}\n검증코드: <code>{code}</code>\n\n"
        "{body}에 납부 사실을 바로 전달합니다. 인허가기관은 봇에서 /verify {no} {code} 로 확인할 수 있습니다. "
        "면허가 거부되면 아래 버튼으로 환급(지방세법 §37)을 요청하세요.",
        "✅ <b>Registration licence tax receipt</b>\nNotice no.: {no}\nLicence: {licence} · {cls}\nBusiness: {business} · Place: {dong}\n"
        "Paid: <b>{amount}</b> · at {paid}\nVerification code: <code>{code}</code>\n\n"
        "{body} is being told right now. Licensing bodies can check it in the bot with /verify {no} {code}. "
        "If the licence is refused, ask for a refund (Local Tax Act art. 37) with the button below."),
    "lt.png.receipt": ("영수증 {no} · 검증코드 {code}", "Receipt {no} · code {code}"),
    "lt.btn.refused": ("🚫 면허를 받지 못했어요", "🚫 The licence was refused"),
    "lt.btn.body_refused": ("🚫 면허 불허", "🚫 Licence refused"),
    "lt.btn.refused_confirm": ("확인: 면허 불허", "Confirm: licence refused"),
    "lt.refuse_ask_paid": ("{no}: 면허가 거부되었나요? 확인하면 세무과에 환급 요청(지방세법 §37)이 접수됩니다.",
                           "{no}: was the licence refused? If you confirm, a refund request (Local Tax Act art. 37) goes to the tax division."),
    "lt.refuse_ask_unpaid": ("{no}: 면허가 거부되었나요? 확인하면 이 고지는 취소되고 낼 세금이 없습니다.",
                             "{no}: was the licence refused? If you confirm, this notice is cancelled and nothing is due."),
    "lt.refused_done_refund": ("{no}: 환급 요청을 세무과에 접수했습니다.", "{no}: the refund request went to the tax division."),
    "lt.refused_done_cancel": ("{no}: 고지를 취소했습니다.", "{no}: the notice is cancelled."),
    "lt.citizen.refused_unpaid": ("{no}: 면허가 거부되어 고지를 취소했습니다. 낼 세금이 없습니다.",
                                  "{no}: the licence was refused, so the notice is cancelled. Nothing is due."),
    "lt.citizen.refund_filed": ("↩️ {no}: 환급 요청을 세무과에 접수했습니다 (민원 접수번호 {receipt}, 처리기한 {deadline}). /status 에서 진행 상황을 볼 수 있습니다.",
                                "↩️ {no}: the refund request was filed with the tax division (receipt {receipt}, due {deadline}). Follow it with /status."),
    "lt.refund.description": ("등록면허세 환급 요청 (지방세법 §37: 면허를 받지 못함). 고지번호 {no}, 면허 {licence}, 납부액 {amount} (납부 {paid}, 계좌 {account}), 인허가기관 {body}. {who}",
                              "Registration licence tax refund (Local Tax Act art. 37). Notice {no}, licence {licence}, paid {amount} ({paid}, account {account}), licensing body {body}. {who}"),
    "lt.refund.by_body": ("인허가기관이 면허 불허를 알렸습니다.", "The licensing body reported the refusal."),
    "lt.refund.by_citizen": ("신청인이 면허 불허를 알렸습니다.", "The applicant reported the refusal."),
    "lt.citizen.payment_held": ("⚠️ {no}: 입금액 {paid}이 고지 세액 {amount}과 달라 세무과가 확인하고 있습니다. 문의: ☎ {phone}",
                                "⚠️ {no}: the amount paid ({paid}) differs from the tax ({amount}); the tax division is checking. Questions: ☎ {phone}"),
    "lt.citizen.payment_returned": ("{no}: 입금하신 {paid}은 세무과가 돌려드립니다. 문의: ☎ {phone}",
                                    "{no}: the tax division will return the {paid} you paid. Questions: ☎ {phone}"),
    "lt.citizen.cancelled": ("{no}: 세무과가 고지를 취소했습니다. 사유: {reason}\n문의: ☎ {phone}",
                             "{no}: the tax division cancelled the notice. Reason: {reason}\nQuestions: ☎ {phone}"),
    "lt.body.paid": (
        "💳 <b>{district} 등록면허세 납부 확인</b>\n{body} 담당자님, 아래 면허의 등록면허세가 납부되었습니다 (지방세법 §38: 면허증 교부 전 납부 확인).\n"
        "고지번호: {no}\n면허: {licence}\n상호: {business} · 사업장: {dong}\n납부액: {amount} · 납부일시: {paid}\n"
        "검증코드: <code>{code}</code> (/verify {no} {code})\n면허를 내주지 않게 되면 아래 [면허 불허]를 눌러 주세요. 환급 절차가 시작됩니다.",
        "💳 <b>{district} registration licence tax paid</b>\n{body}: the tax on the licence below is paid (Local Tax Act art. 38: check before issuing the certificate).\n"
        "Notice no.: {no}\nLicence: {licence}\nBusiness: {business} · Place: {dong}\nPaid: {amount} · at {paid}\n"
        "Verification code: <code>{code}</code> (/verify {no} {code})\nIf the licence is refused, press Licence refused below; the refund starts."),
    "lt.state.awaiting_class": ("종 확인 중", "class being confirmed"),
    "lt.state.issued": ("납부 대기", "awaiting payment"),
    "lt.state.paid": ("납부 완료", "paid"),
    "lt.state.cancelled": ("취소됨", "cancelled"),
    "lt.state.refund_requested": ("환급 요청됨", "refund requested"),
    "lt.state.non_taxable": ("비과세", "not taxable"),
    "lt.pay.applied": ("수납 완료", "applied"),
    "lt.pay.accepted": ("수납 인정", "accepted"),
    "lt.pay.to_return": ("반환 대상", "to be returned"),
    "lt.pay.held_mismatch": ("금액 불일치", "amount mismatch"),
    "lt.pay.held_unmatched": ("계좌 불명", "unknown account"),
    "lt.pay.held_duplicate": ("중복 납부", "paid twice"),
    "lt.pay.held_cancelled": ("취소된 고지에 입금", "paid to a cancelled notice"),
    "lt.pay.source.bank": ("은행 통지", "bank notification"),
    "lt.pay.source.officer": ("담당자 수납 처리", "marked by an officer"),
    "lt.op.card": (
        "🧾 <b>{no}</b> — {state}\n면허: {licence}\n신청 구분: {kind}\n과세 근거: {kind_basis}\n종: {cls} — {confirmed}\n종 근거: {class_basis}\n영업장 면적·인원: {figure}\n"
        "과세 구분: {column} · 세액: {amount}\n상호: {business} · 사업장: {dong}\n인허가기관: {body}\n납부기한: {due} · 신청: {requested}",
        "🧾 <b>{no}</b> — {state}\nLicence: {licence}\nApplication: {kind}\nTax basis: {kind_basis}\nClass: {cls} — {confirmed}\nClass basis: {class_basis}\nFloor area / staff: {figure}\n"
        "Column: {column} · Tax: {amount}\nBusiness: {business} · Place: {dong}\nLicensing body: {body}\nDue: {due} · Requested: {requested}"),
    "lt.op.confirmed": ("확정", "confirmed"),
    "lt.op.class_basis.confirmed": ("지방세법 시행령 §39 별표 1", "Local Tax Decree art. 39, table 1"),
    "lt.op.class_basis.suggested": ("지방세법 시행령 §39 별표 1 — 신청인에게는 {cls:으로/로} 안내했으며 별표 원문으로 확인이 필요합니다",
                                    "Local Tax Decree art. 39, table 1 — the applicant was told {cls}; please check it against the table"),
    "lt.op.class_basis.figure": ("지방세법 시행령 §39 별표 1 — 영업장 면적 등에 따라 정해지며 아직 정해지지 않았습니다",
                                 "Local Tax Decree art. 39, table 1 — set by the floor area or similar, not settled yet"),
    "lt.op.class_basis.none": ("지방세법 시행령 §39 별표 1 — 아직 정해지지 않았습니다", "Local Tax Decree art. 39, table 1 — not settled yet"),
    "lt.op.new_change": ("🔎 <b>변경면허 — 과세 여부와 종 확인</b>\n변경면허는 면허를 받는 자가 바뀌거나 종이 상위 종으로 바뀔 때만 과세합니다 (지방세법 시행령 §40②1). "
                         "과세이면 종을, 과세하지 않으면 [비과세]를 눌러 주세요.\n\n{card}",
                         "🔎 <b>Changed licence — taxable? which class?</b>\nA changed licence is taxed only when the licensee changes or the class moves up (Local Tax Decree art. 40②1). "
                         "Pick the class if it is taxed, or Not taxable.\n\n{card}"),
    "lt.op.unconfirmed": ("⚠️ 확인 필요", "⚠️ to be confirmed"),
    "lt.op.new_unconfirmed": ("🔎 <b>종 확인 필요</b> — 시행령 별표 1로 종을 확인해 주세요. 확인하면 고지서가 바로 발급됩니다.\n\n{card}",
                              "🔎 <b>Class to confirm</b> — check the decree's table 1; the notice is issued as soon as you confirm.\n\n{card}"),
    "lt.op.withdrawn": ("↩️ <b>신청 취하</b> — 신청인이 개인정보 삭제를 요청하며 납부 전 신청을 취하해 고지를 취소했습니다. 이 가상계좌로 입금되면 보류됩니다.\n\n{card}",
                        "↩️ <b>Request withdrawn</b> — the applicant asked for their data to be deleted; the unpaid notice is cancelled. A payment into its account will be held.\n\n{card}"),
    "lt.op.payment_held": ("⚠️ <b>보류된 입금</b> — 확인해 주세요.\n{payment}\n\n{card}", "⚠️ <b>Payment held</b> — please check.\n{payment}\n\n{card}"),
    "lt.op.relay_by_hand": ("📞 <b>인허가기관 통보 실패</b> — {body}(☎ {body_phone})에 납부 사실을 직접 알려 주세요. 사유: {error}\n\n{card}",
                            "📞 <b>Could not tell the licensing body</b> — please tell {body} (☎ {body_phone}) yourself. Error: {error}\n\n{card}"),
    # the tax division's group chat (workflows/group_cards.py): no business, taxpayer, amount or account
    "lt.group.card": ("{head}\n{notice}\n\n🔒 상호·납세자·세액·입금 내역은 1:1 대화에서 봅니다.",
                      "{head}\n{notice}\n\n🔒 The business, taxpayer, amounts and payments are shown in a private chat."),
    "lt.group.notice": ("🧾 <b>{no}</b> — {state}\n면허: {licence} · {dong}", "🧾 <b>{no}</b> — {state}\nLicence: {licence} · {dong}"),
    "lt.group.no_notice": ("🧾 고지번호를 알 수 없는 입금", "🧾 A payment matching no notice"),
    "lt.group.new_change": ("🔎 <b>변경면허 — 과세 여부와 종 확인</b>", "🔎 <b>Changed licence — taxable? which class?</b>"),
    "lt.group.new_unconfirmed": ("🔎 <b>종 확인 필요</b>", "🔎 <b>Class to confirm</b>"),
    "lt.group.update": ("🧾 <b>등록면허세 알림</b>", "🧾 <b>Licence tax update</b>"),
    "lt.group.withdrawn": ("↩️ <b>신청 취하</b> — 납부 전 고지를 취소했습니다", "↩️ <b>Request withdrawn</b> — the unpaid notice is cancelled"),
    "lt.group.payment_held": ("⚠️ <b>보류된 입금</b> — 확인해 주세요", "⚠️ <b>Payment held</b> — please check"),
    "lt.group.relay_by_hand": ("📞 <b>인허가기관 통보 실패</b> — 납부 사실을 직접 알려 주세요",
                               "📞 <b>Could not tell the licensing body</b> — please tell it yourself"),
    "lt.group.body_paid": ("💳 <b>등록면허세 납부 확인 {no}</b>\n면허: {licence} · {dong}\n상호·납부액·검증코드는 부서 담당자에게 1:1로 보냈습니다.",
                           "💳 <b>Licence tax paid {no}</b>\nLicence: {licence} · {dong}\nThe business, amount and verification code went to the division's officers privately."),
    "lt.op.payment_line": ("{status} — {amount} ({source}, {paid})\n계좌: {account} · 거래번호: {tx}",
                           "{status} — {amount} ({source}, {paid})\nAccount: {account} · Transaction: {tx}"),
    "lt.op.no_notice": ("(맞는 고지가 없습니다)", "(no matching notice)"),
    "lt.btn.class": ("제{n}종", "Class {n}"),
    "lt.btn.non_taxable": ("🆓 비과세 (시행령 §40②1)", "🆓 Not taxable (decree art. 40②1)"),
    "lt.btn.non_taxable_confirm": ("🆓 비과세 확인", "🆓 Confirm: not taxable"),
    "lt.op.non_taxable_ask": ("{no}: 비과세로 처리할까요? 고지서 없이 신청인에게 비과세 안내가 갑니다.\n근거: {basis}",
                              "{no}: close it as not taxable? The applicant is told, with no notice to pay.\nBasis: {basis}"),
    "lt.op.non_taxable_done": ("{no}: 비과세로 처리하고 신청인에게 알렸습니다.", "{no}: closed as not taxable; the applicant is told."),
    "lt.citizen.non_taxable": ("✅ {no} ({licence}): 세무과가 이번 변경면허를 비과세로 확인했습니다. 낼 등록면허세가 없고 고지서는 발급되지 않습니다.\n• {case}\n• 근거: {basis}\n인허가기관에 이 안내를 보여 주세요. 문의: ☎ {phone}",
                               "✅ {no} ({licence}): the tax division found this changed licence not taxable. Nothing is due and no notice is issued.\n• {case}\n• Basis: {basis}\nShow this to the licensing body. Questions: ☎ {phone}"),
    "lt.btn.cancel_notice": ("고지 취소", "Cancel notice"),
    "lt.btn.mark_paid": ("💰 수납 처리", "💰 Mark paid"),
    "lt.btn.mark_paid_confirm": ("💰 수납 처리 확인", "💰 Confirm: paid"),
    "lt.btn.accept_payment": ("수납 인정", "Accept payment"),
    "lt.btn.return_payment": ("반환 처리", "Return it"),
    "lt.op.class_done": ("{no}: {cls} 확정. 세액 {amount}의 고지서를 신청인에게 보냈습니다.",
                         "{no}: set to {cls}. The notice for {amount} went to the applicant."),
    "lt.op.confirm_paid": ("{no}: {amount} 입금을 확인하셨나요? 수납 처리하면 영수증이 발급되고 인허가기관에 알립니다.",
                           "{no}: have you seen the payment of {amount}? Marking it paid issues the receipt and tells the licensing body."),
    "lt.op.paid_done": ("{no}: 수납 처리했습니다. 영수증을 보내고 인허가기관에 알립니다.", "{no}: marked paid; the receipt goes out and the licensing body is told."),
    "lt.op.ask_cancel_reason": ("{no}: 취소 사유를 적어 주세요. 신청인에게 전달됩니다.", "{no}: write the reason for cancelling; the applicant will see it."),
    "lt.op.cancel_done": ("{no}: 고지를 취소했습니다.", "{no}: notice cancelled."),
    "lt.op.accepted": ("{no}: 입금 {amount}을 수납 인정했습니다.", "{no}: payment of {amount} accepted."),
    "lt.op.to_return": ("입금 {amount}을 반환 대상으로 표시했습니다 ({no}).", "Payment of {amount} marked to be returned ({no})."),
    "lt.inbox": ("📥 <b>등록면허세 처리함</b>\n🔎 종 확인 대기: {awaiting}건\n🧾 미납 고지: {unpaid}건\n⚠️ 보류된 입금: {held}건\n"
                 "↩️ 환급 요청(민원, /find 접수번호): {refunds}건\n{refund_lines}\n📞 통보 실패: {failed}건\n{failed_lines}",
                 "📥 <b>Licence tax inbox</b>\n🔎 Class to confirm: {awaiting}\n🧾 Unpaid notices: {unpaid}\n⚠️ Held payments: {held}\n"
                 "↩️ Refund requests (complaints, /find receipt no): {refunds}\n{refund_lines}\n📞 Failed confirmations: {failed}\n{failed_lines}"),
    "lt.inbox.held_btn": ("⚠️ {status} {amount}", "⚠️ {status} {amount}"),
    "lt.inbox.refund_line": ("• {no} → {receipt}", "• {no} → {receipt}"),
    "lt.inbox.failed_line": ("• {body}: {error}", "• {body}: {error}"),
    "lt.verify.usage": ("사용법: /verify 고지번호 [검증코드] — 예: /verify LT-2026-000012 ABCDE-FGHIJ",
                        "Usage: /verify notice_no [code] — e.g. /verify LT-2026-000012 ABCDE-FGHIJ"),
    "lt.verify.result": ("🔍 <b>{no}</b> — {state}\n면허: {licence}\n상호: {business} · 사업장: {dong}\n금액: {amount}\n납부일시: {paid}\n검증코드: {vcode}",
                         "🔍 <b>{no}</b> — {state}\nLicence: {licence}\nBusiness: {business} · Place: {dong}\nAmount: {amount}\nPaid at: {paid}\nVerification code: {vcode}"),
    "lt.verify.code_checked": ("보내 주신 코드와 대조했습니다 (아래)", "compared with the code you sent (below)"),
    "lt.verify.code_ok": ("✅ 검증코드가 일치합니다.", "✅ The verification code matches."),
    "lt.verify.code_bad": ("❌ 검증코드가 일치하지 않습니다.", "❌ The verification code does not match."),
    "lt.err.unknown": ("알 수 없는 선택입니다. 처음부터 다시 해 주세요 (/licensetax).", "Unknown choice; please start again (/licensetax)."),
    "lt.err.duplicate": ("이미 처리된 입금입니다.", "This payment was already processed."),
    "lt.err.date_format": ("날짜를 알아보지 못했습니다. {example}, {example_short}, 오늘, 내일처럼 다시 보내 주세요.",
                           "Could not read the date; send it again like {example}, {example_short} (month/day), today or tomorrow."),
    "lt.err.date_past": ("지난 날짜입니다. 앞으로 면허증을 받을 날을 보내 주세요.", "That date has passed; send the date the certificate will be issued."),
    "lt.err.date_far": ("1년이 넘는 날짜입니다. 날짜를 확인해 주세요.", "That is more than a year ahead; please check the date."),
    "lt.err.rrn": ("주민등록번호는 받지 않습니다. 다시 보내 주세요.", "We do not take resident registration numbers; please send it again without one."),
    "lt.err.business": ("상호는 1~{n}자로 보내 주세요.", "The business name must be 1–{n} characters."),
    "lt.err.name": ("이름은 1~{n}자로 보내 주세요.", "The name must be 1–{n} characters."),
    "lt.err.figure": ("숫자만 보내 주세요 (예: 85).", "Please send a number only (e.g. 85)."),
    "lt.err.figure.area_m2": ("영업장 면적을 알아보지 못했습니다. ㎡ 숫자(예: 85, 85.5)나 평(예: 30평)으로 다시 보내 주세요 (0보다 크고 1,000,000㎡ 이하).",
                              "Could not read the floor area; send it again in ㎡ (e.g. 85, 85.5) or in 평 (e.g. 30평), more than 0 and up to 1,000,000 ㎡."),
    "lt.err.figure.staff": ("종업원 수를 알아보지 못했습니다. 12처럼 사람 수를 숫자로 다시 보내 주세요.",
                            "Could not read the number of employees; send it again as a whole number, e.g. 12."),
    "lt.err.not_change": ("변경면허 신청만 비과세로 처리할 수 있습니다.", "Only a changed-licence request can be closed as not taxable."),
    "lt.err.non_taxable": ("비과세 대상이라 고지서가 발급되지 않습니다.", "Non-taxable: no notice is issued."),
    "lt.err.payment": ("입금 정보가 올바르지 않습니다.", "The payment details are not valid."),
    "lt.err.stale": ("이미 처리되었거나 지금 할 수 없는 작업입니다.", "Already done, or not possible in this state."),
    "lt.err.cannot_accept": ("이 입금은 수납 인정할 수 없습니다 (금액 불일치이면서 고지가 납부 대기일 때만 가능).",
                             "This payment cannot be accepted (only an amount mismatch on an unpaid notice can)."),
    "lt.err.reason": ("사유는 {lo}~{hi}자로 적어 주세요.", "The reason must be {lo}–{hi} characters."),
    "lt.err.not_tax_officer": ("세무과 담당자만 쓸 수 있습니다.", "Only tax division officers can do this."),
    "lt.err.not_found": ("그런 고지번호가 없습니다.", "No such notice number."),
    "lt.err.not_registered": ("이 대화방은 등록된 인허가기관이 아닙니다. 세무과에 등록을 요청해 주세요.",
                              "This chat is not a registered licensing body; ask the tax division to register it."),
    # --- bot commands (setMyCommands) ------------------------------------------------------
    "cmd.start": ("시작", "start"),
    "cmd.help": ("도움말", "help"),
    "cmd.menu": ("메뉴", "menu"),
    "cmd.cancel": ("입력 취소", "cancel"),
    "cmd.language": ("언어 변경", "language"),
    "cmd.privacy": ("개인정보 안내·동의", "privacy and consent"),
    "cmd.complaint": ("민원 신청", "file a complaint"),
    "cmd.status": ("내 민원", "my complaints"),
    "cmd.inbox": ("부서 처리함", "department inbox"),
    "cmd.find": ("접수번호로 찾기", "find by receipt no"),
    "cmd.grant": ("역할 부여", "grant a role"),
    "cmd.revoke": ("역할 회수", "revoke a role"),
    "cmd.invite": ("초대 링크", "invite link"),
    "cmd.departments": ("부서 목록", "departments"),
    "cmd.audit": ("감사 로그 내보내기", "export the audit log"),
    "cmd.broadcast": ("공지 보내기 (직원·주민)", "send a notice (staff, residents)"),
    "cmd.ranking": ("친절 부서 순위", "department ranking"),
    "cmd.report": ("지표 보고서 (평가단)", "indicator report (evaluators)"),
    "cmd.foodalert": ("식중독 예방 알림", "food-poisoning alerts"),
    "cmd.opinion": ("소통 Day 의견 나누기", "Opinion Day"),
    "cmd.moving": ("전입주민 생활정보", "new-resident information"),
    "cmd.newsletter": ("월간 소식지 작성", "monthly newsletter"),
    "cmd.birth": ("출생 원스톱 (출생 관련 지원 한 번에 신청)", "birth one-stop"),
    "cmd.death": ("사망 원스톱 (관계 기관 통보·기한 안내)", "death one-stop"),
    "cmd.onestop": ("원스톱 세부 신청 처리함", "one-stop sub-requests"),
    "cmd.licensetax": ("등록면허세 납부 (방문 없이)", "licence tax one-stop"),
    "cmd.taxinbox": ("등록면허세 처리함 (세무과)", "licence tax inbox (tax division)"),
    "cmd.verify": ("등록면허세 납부 확인 (인허가기관)", "check a licence tax payment"),
}

LANGS = ("ko", "en")


def norm_lang(code: str | None) -> str:
    """Telegram's language_code ('en-US', 'ko') to one we speak; Korean by default."""
    return "en" if (code or "").lower().startswith("en") else "ko"


def escape(s: str | None) -> str:
    """Any text the code did not write itself — what a resident or officer typed, names from the
    district profile or the database — made safe to put into an HTML-mode message."""
    return html.escape(s or "", quote=False)


def both(ko: str, en: str | None, lang: str) -> str:
    """A proper name (a 동, a place, an office) for `lang`: Korean as it is; in English the English
    form with the Korean in brackets, as residents find it on signs and maps ("Jayang 1-dong
    (자양1동)"); the Korean alone when the data has no English form. Plain text: escape() after."""
    if lang != "en" or not en or en == ko:
        return ko if lang != "en" or not en else en
    return f"{en} ({ko})"


# Telegram's limits, counted on the text after it parses the HTML (tags gone, entities decoded)
MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
ELLIPSIS = "…"
_TAG = re.compile(r"<[^>]*>")


def units(s: str) -> int:
    """Length in UTF-16 code units: never less than Telegram's own count (code points; an emoji
    outside the BMP counts 2 here, 1 there), so what fits here fits there."""
    return len(s.encode("utf-16-le")) // 2


def clip(s: str | None, n: int) -> str:
    """Plain text (not HTML: clip first, then escape) shortened to at most n characters, cut on a
    character boundary and ended with "…" when something was left out."""
    s = s or ""
    if units(s) <= n:
        return s
    if n < units(ELLIPSIS):
        return ""
    budget, out = n - units(ELLIPSIS), []
    for ch in s:
        budget -= units(ch)
        if budget < 0:
            break
        out.append(ch)
    return "".join(out).rstrip() + ELLIPSIS


def visible_len(rendered: str) -> int:
    """How long Telegram counts a message this bot rendered in HTML: tags removed, entities
    decoded (the bot's own markup only: escape() and the templates' tags)."""
    return units(html.unescape(_TAG.sub("", rendered)))


def pack(blocks: Iterable[str], limit: int = MESSAGE_LIMIT, sep: str = "\n") -> list[str]:
    """Already-rendered HTML blocks (each one whole: its tags close inside it) gathered in order into
    as few messages as keep each within `limit` characters after parsing. A block is never split;
    one longer than the limit is a bug of its builder, which must clip the user's text first."""
    messages: list[str] = []
    current, size = "", 0
    for block in blocks:
        n = visible_len(block)
        if n > limit:
            raise ValueError(f"a rendered block of {n} characters is over the {limit} limit")
        if not block.strip():
            continue
        joined = size + visible_len(sep) + n if current else n
        if current and joined > limit:
            messages.append(current)
            current, size = block.lstrip("\n"), visible_len(block.lstrip("\n"))
        elif current:
            current, size = current + sep + block, joined
        else:
            current, size = block.lstrip("\n"), visible_len(block.lstrip("\n"))
    if current:
        messages.append(current)
    return messages


# --- Korean particles that follow the word (첫인사는, 민원을, 청소행정과로) -----------------------

PARTICLES = {"은/는": ("은", "는"), "이/가": ("이", "가"), "을/를": ("을", "를"), "과/와": ("과", "와"),
             "와/과": ("과", "와"), "으로/로": ("으로", "로"), "이나/나": ("이나", "나"), "아/야": ("아", "야")}
# how a final digit or Latin letter is read aloud: True = the reading ends in a consonant (a
# 받침), "ㄹ" = in ㄹ (which takes 로, not 으로). 0 영, 1 일, 3 삼, 6 육, 7 칠, 8 팔; L 엘, M 엠, N 엔, R 알
_READ_FINAL = {"0": True, "1": "ㄹ", "3": True, "6": True, "7": "ㄹ", "8": "ㄹ",
               "l": "ㄹ", "m": True, "n": True, "r": "ㄹ"}
_BRACKETED = re.compile(r"\s*(\([^()]*\)|\[[^\[\]]*\])$")


def _final(word: str) -> bool | str:
    """The last sound of `word` as a particle sees it: False (a vowel), True (a consonant) or "ㄹ".
    Tags, entities, a trailing bracketed aside ("부모급여 (Parental allowance)") and closing quotes
    or punctuation are skipped: the particle follows the word itself."""
    s = html.unescape(_TAG.sub("", word or "")).rstrip()
    while True:
        stripped = _BRACKETED.sub("", s).rstrip()
        stripped = stripped.rstrip(" \"'”’」』》〉.,!?…")
        if stripped == s:
            break
        s = stripped
    if not s:
        return False
    ch = s[-1]
    if "가" <= ch <= "힣":
        jong = (ord(ch) - 0xAC00) % 28
        return "ㄹ" if jong == 8 else jong != 0
    return _READ_FINAL.get(ch.lower(), False)


def particle(word: str, pair: str) -> str:
    """`word` followed by the particle of `pair` ("은/는", "이/가", "을/를", "와/과", "으로/로") that
    its last syllable takes: 첫인사는, 안내는, 민원을, 청소행정과로, 서울시로, 2026-12-01로, 2026-000123을."""
    after_consonant, after_vowel = PARTICLES[pair]
    final = _final(word)
    if pair == "으로/로":
        return word + (after_consonant if final is True else after_vowel)
    return word + (after_consonant if final else after_vowel)


class _Formatter(string.Formatter):
    """str.format, plus a particle as the format spec: "{item:은/는}" -> "첫인사는"; with "~" the
    particle alone, for a value in quotes or tags: "<b>{item}</b>{item:~은/는}" -> "<b>첫인사</b>는"."""

    def format_field(self, value, format_spec):
        alone = format_spec.startswith("~")
        if format_spec.removeprefix("~") in PARTICLES:
            with_particle = particle(str(value), format_spec.removeprefix("~"))
            return with_particle[len(str(value)):] if alone else with_particle
        return super().format_field(value, format_spec)


_FORMATTER = _Formatter()
_HAS_PARTICLE = re.compile(r"\{[^{}:]*:~?(?:" + "|".join(re.escape(p) for p in PARTICLES) + r")\}")


def t(lang: str, key: str, **values) -> str:
    ko, en = TEXTS[key]
    text = en if lang == "en" and en else ko
    if not values:
        return text
    return _FORMATTER.format(text, **values) if _HAS_PARTICLE.search(text) else text.format(**values)


def t_fit(lang: str, key: str, field: str, text: str | None, *, limit: int = MESSAGE_LIMIT,
          **values) -> str:
    """t(lang, key, ...) with one user-written value, `field`, clipped to the room the rest of the
    message leaves under `limit` (after parsing), then escaped: the message always fits."""
    room = limit - visible_len(t(lang, key, **values, **{field: ""}))
    return t(lang, key, **values, **{field: escape(clip(text, max(room, 0)))})
