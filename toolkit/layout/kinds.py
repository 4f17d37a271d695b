"""The kind of each paragraph: body, heading, boilerplate or reference.

Decided from the text's own shape, in both languages: the lexicon of page
chrome (menus, share and comment widgets, bylines, datelines, copyright and
contact lines), list runs outside the article, footnote and bibliography
patterns, and short unpunctuated lines followed by prose (headings). A
paragraph becomes boilerplate only on positive evidence; anything in doubt is
body, so a real paragraph is never set aside.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from .lines import ends_sentence

BODY, HEADING, BOILERPLATE, REFERENCE = "body", "heading", "boilerplate", "reference"
KINDS = (BODY, HEADING, BOILERPLATE, REFERENCE)

# Whole lines of page chrome (compared lower-cased, without bullets, counts and trailing punctuation).
_CHROME_LINES = (
    # English menus, widgets and footers
    "home", "homepage", "about", "about us", "who we are", "our work", "what we do", "contact", "contact us",
    "donate", "donate now", "give", "support us", "get involved", "join us", "volunteer", "menu", "main menu",
    "search", "search for", "skip to content", "skip to main content", "jump to navigation", "jump to search",
    "toggle navigation", "navigation", "close", "open menu", "back to top", "top", "print", "email", "e-mail",
    "share", "share this", "share this article", "share this story", "share on facebook", "share on twitter",
    "facebook", "twitter", "x", "linkedin", "whatsapp", "telegram", "reddit", "pinterest", "instagram",
    "youtube", "copy link", "tweet", "like", "like this", "loading", "comments", "comment", "leave a comment",
    "leave a reply", "reply", "post a comment", "add comment", "no comments", "view comments", "show comments",
    "related", "related posts", "related articles", "related stories", "related content", "related news",
    "read more", "read next", "more stories", "more news", "recommended", "most read", "most popular",
    "popular posts", "recent posts", "recent comments", "latest news", "latest", "trending", "top stories",
    "categories", "category", "archives", "archive", "tags", "topics", "blogroll", "meta", "rss", "rss feed",
    "subscribe", "subscribe now", "newsletter", "sign up", "sign in", "log in", "login", "logout", "register",
    "my account", "privacy", "privacy policy", "terms", "terms of use", "terms of service", "cookie policy",
    "cookies", "accept", "accept cookies", "sitemap", "site map", "advertisement", "advertising", "sponsored",
    "previous post", "next post", "previous", "next", "older posts", "newer posts", "previous article",
    "next article", "see also", "contents", "table of contents", "edit", "external links", "news", "blog",
    "events", "resources", "publications", "reports", "press", "media", "careers", "faq", "help", "follow us",
    "connect with us", "stay connected", "unsubscribe", "view this email in your browser", "view in browser",
    "forward to a friend", "update your preferences", "update subscription preferences", "###", "-end-", "end",
    "for immediate release", "media contact", "media contacts", "press contact", "for media inquiries",
    "listen", "listen to this article", "watch", "photo", "photos", "video", "gallery", "audio",
    "visible links", "hidden links", "last updated", "last modified", "main page", "current events",
    "random article", "community portal",
    "recent changes", "view history",
    "tools", "talk", "read", "article", "page", "press release", "news release", "media advisory", "statement",
    "gift this article", "save", "save article", "bookmark", "more", "show more", "load more", "see more",
    "you might also like", "you may also like", "more long reads", "also read", "don't miss", "editor's picks",
    "join the discussion", "comments are closed", "add a comment", "write a comment", "enjoying this story",
    "enjoyed this article", "enjoyed this story", "support our journalism", "support independent journalism",
    "related coverage", "related reading", "more coverage", "more on this story", "in other news",
    # Korean menus, widgets and footers
    "홈", "홈으로", "로그인", "로그아웃", "회원가입", "마이페이지", "전체메뉴", "메뉴", "검색", "검색어", "닫기",
    "구독", "구독하기", "뉴스레터", "공유", "공유하기", "카카오톡", "카카오스토리", "페이스북", "트위터", "네이버",
    "밴드", "네이버 밴드", "링크복사", "url복사", "주소복사", "글자크기", "글씨크기", "인쇄", "인쇄하기", "스크랩",
    "기사제보", "제보하기", "댓글", "댓글쓰기", "댓글달기", "관련기사", "관련 기사", "많이 본 뉴스", "많이 본 기사",
    "인기기사", "인기 기사", "최신기사", "최신 기사", "추천기사", "추천 기사", "주요뉴스", "주요 뉴스", "이전글",
    "다음글", "이전 글", "다음 글", "목록", "목록으로", "공감", "추천", "좋아요", "태그", "카테고리", "전체보기",
    "맨위로", "위로", "더보기", "기사 더보기", "이 기사를 추천합니다", "후원하기", "후원", "문의하기", "오시는 길",
    "개인정보처리방침", "개인정보 처리방침", "이용약관", "청소년보호정책", "이메일무단수집거부", "사이트맵",
    "수신거부", "웹에서 보기", "광고", "보도자료", "많이 본", "포토", "영상", "오피니언", "정치", "경제", "사회",
    "국제", "북한", "문화", "스포츠", "연예", "전국", "라이프", "칼럼", "사설", "통일", "외교", "인물",
    "이웃추가", "본문 기타 기능", "신고하기", "url 복사", "블로그", "카페", "맨 위로", "기사 공유", "기사 듣기",
    "번역", "본문 듣기", "구독 중", "가나다라마바사", "폰트", "닫기 버튼", "전체 서비스", "기사제공",
    "like this", "like loading", "loading...", "share this:", "like this:", "print friendly", "pdf", "email this",
)
_CHROME = frozenset(_CHROME_LINES)
_NORMAL = re.compile(r"^[\s•·∙◦▪■□◆◇▶▷►○●◎※☞>*+|\-–—\[(]+|[\s:：|»›>\]).…?!\-–—]+$")
_COUNT = re.compile(r"\s*[(\[]?\d[\d,]*[)\]]?\s*")
# Heads of chrome lists: the short lines after them are chrome too.
_LIST_HEADS = frozenset({
    "related", "related posts", "related articles", "related stories", "related content", "related news",
    "read more", "read next", "more stories", "more news", "recommended", "most read", "most popular",
    "popular posts", "recent posts", "recent comments", "latest news", "trending", "top stories",
    "categories", "category", "archives", "archive", "tags", "topics", "blogroll", "meta", "see also",
    "contents", "table of contents", "external links", "follow us", "connect with us", "stay connected",
    "관련기사", "관련 기사", "많이 본 뉴스", "많이 본 기사", "인기기사", "인기 기사", "최신기사", "최신 기사",
    "추천기사", "추천 기사", "주요뉴스", "주요 뉴스", "태그", "카테고리", "목차", "많이 본",
    "related coverage", "related reading", "more coverage", "more on this story", "in other news",
    "you might also like", "you may also like", "more long reads", "also read", "editor's picks", "don't miss",
    "more from"})
# Chrome wherever it appears in a short line.
_HANGUL = re.compile(r"[가-힣]")
_SENTENCE_END = re.compile(r"[.!?。](?:\s|$)")
# Chrome wherever it appears in a short line: literal words (lower case), then patterns, by script.
_CHROME_WORDS = (  # enough on their own, in a line of up to 250 characters
    "©", "ⓒ", "copyright", "all rights reserved", "저작권자", "privacy policy", "unsubscribe", "수신을 원하지",
    "you are receiving this", "forward to a friend", "your email address will not be published",
    "required fields are marked", "[edit]", "retrieved from", "from wikipedia", "the free encyclopedia",
    "listen to this article", "501(c)", "issn ", "isbn ", "무단 전재", "재배포금지", "배포금지", "기사제공", "기사원문",
    "네이버에서", "tax-deductible", "tax deductible", "통신판매", "고유번호", "예금주", "working paper series",
    "views expressed", "do not necessarily reflect", "not been peer reviewed", "do not cite",
    "have been changed to protect", "been changed to protect", "creative commons", "media contact", "press office",
    "엠바고", "filed under", "sponsored content", "po box", "p.o. box",
)
_WEAK_WORDS = (  # chrome in a widget line, but also words of prose: not on a paragraph of prose
    "cookie", "sign up for", "subscribe to", "newsletter", "뉴스레터", "follow us", "팔로우", "카카오톡", "facebook",
    "twitter", "팩스", "☎", "advertisement", "reading time", "min read", "분 읽기", "non-commercial",
    "with attribution", "비영리", "사단법인", "발행인", "편집인", "등록번호", "payable to", "without permission",
    "구독하기", "제휴사", "즉시 보도", "보도 가능", "보도 일시",
)
# Korean words and symbols, and what Korean pages write in English
_WORDS_KO = (*(w for w in _CHROME_WORDS if not re.search(r"[a-z]", w)), "copyright", "all rights reserved")
_WORDS_EN = tuple(w for w in _CHROME_WORDS if not _HANGUL.search(w))
_WEAK_KO = (*(w for w in _WEAK_WORDS if not re.search(r"[a-z]", w)), "facebook", "twitter", "newsletter")
_WEAK_EN = tuple(w for w in _WEAK_WORDS if not _HANGUL.search(w))
_SHARED = (r"\(c\)\s*\d{4}|e-?mail\s*:|tel\.?\s*[:+\d(]|fax\s*[:+\d(]|[\w.+-]+@[\w-]+\.[\w.-]+|\+\d{1,3}[\s\d()-]{7,}"
           r"|(?:→|»|›)$")
_ANYWHERE_EN = re.compile(
    _SHARED + r"|terms of (?:use|service)|view (?:this email )?in (?:your )?browser|\d+\s+comments?\b"
    r"|leave a (?:reply|comment)|share (?:this|on)|posted (?:in|on|by)"
    r"|this (?:article|story|post) (?:was|first)|originally (?:published|appeared)|reprinted (?:with|from)"
    r"|for (?:media|press) (?:inquiries|enquiries)"
    r"|jump to (?:navigation|search)|\d+\s*minutes?\s*(?:read)?$|last (?:edited|modified|updated) on"
    r"|licen[cs]ed under|\bsubscribe\b|\bsign up\b"
    r"|^(?:tags|topics|categories|category|filed under|keywords|labels|posted in)\s*:"
    r"|^.{0,12}(?:january|february|march|april|may|june|july|august|september|october|november|december)"
    r"\s+\d{4}\s*$"
    r"|phone\s*:|for sale by"
    r"|(?:open|view|read) this (?:email|bulletin|newsletter|message) in (?:your )?(?:web )?browser"
    r"|registered (?:charity|non-?profit)|charity (?:no\.?|number)"
    r"|may (?:not )?be (?:quoted|reproduced|reprinted|republished)|^for (?:the|other|more)\b.{0,120}, see\b"
    r"|^this article is about\b|^\(?see also\b"
    r"|^(?:this|the) (?:report|brief|paper|newsletter|transcript|publication|document|e-?mail)\b.{0,100}"
    r"\b(?:may not|does not|do not|is not|are not|should not|was (?:produced|prepared|funded))\b")
_ANYWHERE_KO = re.compile(
    _SHARED + r"|무단\s*전재|재배포\s*금지|ai\s*학습\s*(?:및\s*)?활용\s*금지|수신\s*거부|웹(?:에서|으로) 보기"
    r"|댓글\s*\d+"
    r"|구독(?:하기|신청)|이메일\s*:|전화\s*[:：]?\s*\d|기사\s*제보|제보\s*[:：]|담당\s*부서|담당자\s*[:：]|배포\s*일시"
    r"|보도\s*시점|붙임\s*\d|^(?:태그|키워드|분류)\s*[:：]|사업자\s*등록|청소년\s*보호|후원\s*(?:계좌|문의)|계좌\s*[:：]"
    r"|인용\s*시|출처.{0,40}밝혀|서면\s*동의|편집\s*방향과\s*다를|외부\s*필자|본지의\s*입장|무단\s*(?:복제|인용)"
    r"|^※\s|저작권법|^(?:조회|조회수|추천|공감|좋아요|스크랩|댓글|구독자)\s*[\d,]+$"
    r"|^.{0,30}이름(?:은|과|을).{0,30}(?:가명|바꾸었|바꿨|바꾸어)"
    r"|^(?:이전글|다음글|이전 글|다음 글)\s|^지면\s*\d{4}|^총\s*\d+\s*(?:쪽|매|면|페이지)$"
    r"|^이\s*(?:회의록|보고서|브리프|기사|글|논문|소식지|뉴스레터|콘텐츠|책자)[은는의에이].{0,80}"
    r"(?:수 있습니다|바랍니다|않습니다|아닙니다|밝힙니다)\.?$"
    r"|^(?:배포일|배포처|보도일|발신|수신|연락처|작성자|작성일|게시일|등록일|수정일|글쓴이)\s")
# Bylines and datelines: the whole (short) line is one of them.
_BYLINE = re.compile(
    r"(?:by|written by|posted by|words by|story by|reporting by|edited by)\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,4}"
    r"(?:\s*(?:,|and|&|\||/|-|–|—)\s*.{0,60})?$"
    r"|(?:translated|translation|interview|interviews|photographs?|photos?|illustrations?|reporting|edited)\b.{0,40}"
    r"\bby\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}\.?$"
    r"|[A-Z][\w'’-]+(?:[ -][A-Z][\w'’-]+){1,3},\s+(?:[\w&'’.-]+\s+){0,6}(?:University|Institute|Department|School"
    r"|Centre|Center|College|Foundation|Council|Academy)\b.{0,80}$"
    r"|(?:published|updated|posted|last updated|first published|date)\s*(?:on|:)?\s*.{0,40}\d{4}.{0,30}$"
    r"|(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}.{0,30}$"
    r"|\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,?\s+\d{4}.{0,30}$"
    r"|(?:january|february|march|april|may|june|july|august|september|october|november|december)\s+\d{4}"
    r"(?:\s*\(\d+\))?$"
    r"|(?:입력|수정|승인|등록|게재|발행|송고|기사입력|최종수정|업데이트|작성일|등록일|발행일)\s*[:：]?\s*\d{2,4}[.\-/년].{0,60}$"
    r"|\d{4}[.\-/]\s?\d{1,2}[.\-/]\s?\d{1,2}\.?(?:\s*[(（][월화수목금토일][)）])?"
    r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
    r"(?:\s*[|·]\s*.{0,40})?$"
    r"|\d{4}년\s*\d{1,2}월(?:\s*\d{1,2}일)?(?:\s*\(\d+\))?(?:\s+\d{1,2}:\d{2})?$"
    r"|[가-힣]{2,4}\s*(?:기자|특파원|논설위원|선임기자|객원기자|통신원|리포터|PD|앵커)"
    r"(?:\s*[=:]|\s+[\w.+-]+@[\w.-]+|\s*$|\s*[|·/].{0,40}$)"
    r"|\([가-힣A-Za-z ]+=[가-힣A-Za-z0-9 ]+\)\s*[가-힣]{2,4}\s*(?:기자|특파원)\s*=?\s*$"
    r"|[가-힣]{2,4}\s+(?:\S+\s+){0,3}(?:교수|명예교수|연구위원|선임연구위원|연구원|책임연구원|소장|대표|이사장|센터장"
    r"|박사|변호사|목사|전\s*\S+)\s*$"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+$|(?:https?://|www\.)\S+$"
    r"|[\[(]?(?:사진|그래픽|자료|영상|출처|제공|photo|image|picture|credit|source|courtesy|illustration)\s*[=:：]"
    r".{0,120}[\])]?$"
    r"|[▲△▶]\s*.{0,120}$",
    re.IGNORECASE)
_CREDIT_KEYS = ("photo", "image", "picture", "credit", "courtesy", "illustrat", "/", "reuters", "(ap", "ap)", "afp",
                "yonhap", "epa", "getty", "pool", "사진", "기자", "특파원", "연합뉴스", "뉴스1", "뉴시스")
# Photo captions end with their credit: "... Photo: Lantern Aid", "(Reuters)", "Courtesy of the Ministry".
_CREDIT = re.compile(
    r"[(\[](?:photo|image|picture|file photo|credit|courtesy)[^)\]]{0,60}[)\]]\.?$"
    r"|\b(?:photo|image|picture|credit|courtesy|illustration|사진)\s*[:：=]\s*[^.]{2,60}\.?$"
    r"|/\s*(?:[\w.]+\s){0,3}(?:file\s)?(?:photos?|images?|pictures?|pool)\.?$"
    r"|\b(?:courtesy of|photo(?:graph)? by|image by|photographed by|illustration by)\b[^.]{2,80}\.?$"
    r"|(?:/|—|-|\()\s*(?:reuters|ap|afp|yonhap|epa|getty images|연합뉴스|뉴스1|뉴시스)\)?\.?$"
    r"|(?:[.)]|다\.)\s*(?:ⓒ\s*\S+\s*)?[가-힣]{2,4}\s*(?:기자|특파원)$|\((?:자료)?사진\)",
    re.IGNORECASE)
# A whole line of menu items: "Home | About | Contact", "Home > News > North Korea".
# (a middle dot between words joins them in Korean, "성별·연령": as a separator it stands between spaces)
_MENU_ROW = re.compile(r"[^|>›»/]{1,30}?(?:(?:\s*[|>›»/]\s*|\s·\s)[^|>›»/]{1,30}?){2,}"
                       r"|[^|>›»/]{1,25}\s[>›»]\s[^|>›»/]{1,25}")
# Heads of a comment section: after the article, everything from there on is page chrome.
_COMMENT_HEAD = re.compile(r"(?:\d+\s+|no\s+)?(?:comments?|responses?|replies|thoughts on .{1,80})(?:\s*\(\d+\))?"
                           r"|leave a (?:reply|comment)|join the discussion|reader comments|comments are closed"
                           r"|댓글(?:\s*\d+)?(?:개)?|댓글\s*(?:쓰기|달기|보기)|전체\s*댓글.{0,10}", re.IGNORECASE)
# List bullets; Korean news marks its subheadings with ◇ ◆ ■ □, so those may start a heading.
_ASIDE = re.compile(r"[(\[（［][^()\[\]]{1,158}[)\]）］]")
_BULLET = re.compile(r"[•·∙◦▪▫▶▷►●◎※☞*+\-–]\s")
# Widgets that a short line starts with (a link or a button), and file links.
_WIDGET = re.compile(r"(?:download|cite this|learn more|view all|see all|show all|back to|read the full|print this|"
                     r"email this|share this|follow|like this|request (?:a|the|audio|access)|click here|tap here|"
                     r"watch the|listen to|visit|go to|return to|more about|more on)\b"
                     r"|.*\((?:pdf|docx?|hwp|xlsx?|pptx?)\b[^)]*\)|.*\b\d+(?:\.\d+)?\s*[KM]B\b", re.IGNORECASE)
# A document's metadata before its text: "Duration: 2 h 11 min", "Interviewer: K. Park".
_KEY_VALUE = re.compile(r"[^\s:：\d]{1,12}(?:\s[^\s:：\d]{1,12})?\s*[:：]\s*\S.{0,60}")
# Heads of lists of other articles ("Other interviews from Hyesan", "More from the blog").
_LIST_HEAD = re.compile(r"(?:related|more|other|latest|recent|popular|top|trending|recommended|similar|further)"
                        r"\b(?:\s\S+){0,5}|(?:다른|관련|이전|지난|최근|인기|추천|많이\s*본|같은)\s*\S+(?:\s\S+){0,3}",
                        re.IGNORECASE)
# Headings of a references section; what follows them is reference material.
_REF_HEADS = frozenset({"references", "reference", "notes", "endnotes", "footnotes", "bibliography",
                        "works cited", "sources", "literature", "sources and notes", "notes and references",
                        "참고문헌", "참고 문헌", "각주", "주석", "미주", "참고자료", "참고 자료", "주", "출처"})
_NOTE_MARK = re.compile(r"(?:[-•*]\s+)?(?:\[\d{1,3}\]|\d{1,3}(?:[).]\s*|\s+)(?=\D)|[¹²³⁴⁵⁶⁷⁸⁹⁰]+|\*{1,3}|†|"
                        r"주\s*\d{1,3}\)?)\s*\S")
# What a citation carries: strong cues on their own, weak ones (a year, "report") only in a short note.
_CITATION = re.compile(
    r"\^|↑|\bpp?\.\s*\d|\bibid|\bop\.?\s*cit|https?://|www\.|\baccessed\b|\bretrieved\b|\d\s*쪽|『|』|「|」|《"
    r"|\bvol\.|\bno\.\s*\d|\bet al|\beds?\.|\((?:19|20)\d\d[a-z]?\)|,\s*(?:19|20)\d\d[,.)]|(?:19|20)\d\d\.\s*\d",
    re.IGNORECASE)
_WEAK_CITATION = re.compile(r"(?:19|20)\d\d|\binterview|면담|인터뷰|\bpress\b|\bjournal\b|\breport\b|보고서|연구",
                            re.IGNORECASE)
_NUMBERED_HEAD = re.compile(r"(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVX]{1,5}\.|[Ⅰ-Ⅻ]{1,3}\.?|제\s*\d{1,2}\s*[장절편부]|"
                            r"[가-하]\.|part\s+\w+|chapter\s+\w+|section\s+\w+)\s+\S", re.IGNORECASE)
_SPEAKER = re.compile(r"(?:Q|A|문|답)\s*[:：.]|[○◯]|(?:Mr|Ms|Mrs|Dr|Sen|Rep|Chairman|Chairwoman)\.?\s+[A-Z]+\b")


_DIGIT = re.compile(r"\d")
_LINK_REF = re.compile(r"^\s*\[\d{1,4}\]")  # lynx -dump numbers every link: "[12]Home"
_LETTER = re.compile(r"[^\W\d_]")


def _norm(text: str) -> str:
    """Lower-cased, without leading bullets, trailing punctuation and counts such as ``(12)``."""
    if len(text) > 80:  # every phrase it is compared with is short
        return ""
    core = _NORMAL.sub("", _LINK_REF.sub("", text.lower()))
    return _COUNT.sub(" ", core).strip() if _DIGIT.search(core) else core


def is_chrome(text: str) -> bool:
    """Positive evidence that one paragraph, on its own, is page chrome.

    >>> is_chrome("무단전재 및 재배포 금지"), is_chrome("Share this:"), is_chrome("The rations stopped.")
    (True, True, False)
    """
    n = len(text)
    if n > 300:
        return False
    if n <= 60 and _norm(text) in _CHROME:
        return True
    if n <= 200 and _BYLINE.match(text):
        return True
    low = text.lower()
    tail = low[-120:]
    for key in _CREDIT_KEYS:  # a cheap look for the words of a credit before the patterns
        if key in tail:
            if _CREDIT.search(text, max(0, n - 120)):
                return True
            break
    if n <= 250:
        korean = _HANGUL.search(low) is not None
        for word in _WORDS_KO if korean else _WORDS_EN:
            if word in low:
                return True
        # weak words and the patterns: not on a paragraph of prose (two sentences, or a long one)
        prose_like = n > 40 and ends_sentence(text) and (n > 120 or _SENTENCE_END.search(text[:-1]) is not None)
        if not prose_like:
            for word in _WEAK_KO if korean else _WEAK_EN:
                if word in low:
                    return True
            if n <= 160 and (_ANYWHERE_KO if korean else _ANYWHERE_EN).search(low):
                return True
    if n <= 160 and not ends_sentence(text) and _MENU_ROW.fullmatch(text):
        return True
    if n <= 60 and not text.endswith(".") and _WIDGET.match(text):
        return True
    if n <= 160 and _ASIDE.fullmatch(text):  # "(10시02분 개의)", "(Reuters)", "(Whereupon, ...)"
        return True
    return _LETTER.search(text) is None


def _prose(text: str) -> bool:
    """A paragraph of running prose: long, or a full sentence of some length (a short question is not)."""
    return len(text) >= 120 or (len(text) >= 50 and ends_sentence(text) and not text.endswith("?") and " " in text)


def _heading_shape(text: str) -> bool:
    if _BULLET.match(text):
        return False
    if len(text) > 120 or len(text.split()) > 16 or text.endswith((".", ",", ";", ":", "·")):
        return bool(_NUMBERED_HEAD.match(text)) and len(text) <= 120 and not text.endswith((",", ";"))
    return not _SPEAKER.match(text)


def _short_line(text: str) -> bool:
    """A short line that is not a sentence (a salutation such as "Dear friends," counts as one)."""
    return len(text) <= 60 and not ends_sentence(text) and not text.endswith(",")


def decide(texts: Sequence[str], lines: Sequence[int], ends_page: Sequence[bool],
           apart: Sequence[bool] | None = None) -> list[str]:
    """The kind of each paragraph, from its text, its number of lines, whether a page break follows it,
    and whether a blank line sets it ``apart`` from the paragraph before.

    >>> decide(["Home", "About us", "Contact", "Markets after the famine",
    ...         "When the rations stopped, mothers traded at the market to keep their families alive.",
    ...         "© 2024 Example. All rights reserved."], [1] * 6, [False] * 6)
    ['boilerplate', 'boilerplate', 'boilerplate', 'heading', 'body', 'boilerplate']
    """
    n = len(texts)
    apart = apart or [True] * n
    kinds = [BODY] * n
    prose = [_prose(t) for t in texts]
    for i, t in enumerate(texts):
        if is_chrome(t):
            kinds[i] = BOILERPLATE
    # A comment section after the article's prose: all of it is chrome.
    seen_prose = False
    for i, t in enumerate(texts):
        if prose[i] and kinds[i] == BODY:
            seen_prose = True
        elif seen_prose and len(t) <= 100 and _COMMENT_HEAD.fullmatch(_norm(t)):
            for k in range(i, n):
                kinds[k] = BOILERPLATE
            break
    # Lists under a chrome head ("Related articles", "관련기사", "Categories"): short lines after it.
    i = 0
    while i < n:
        head = (_norm(texts[i]) in _LIST_HEADS and kinds[i] == BOILERPLATE) or (
            len(texts[i]) <= 50 and not ends_sentence(texts[i]) and _LIST_HEAD.fullmatch(texts[i]) is not None
            and i + 2 < n and all(lines[k] == 1 and len(texts[k]) <= 100 and not prose[k] for k in (i + 1, i + 2)))
        if head:
            kinds[i] = BOILERPLATE
            j = i + 1
            contiguous = j < n and not apart[j]  # a list written line by line ends at the next blank line
            while j < n and (kinds[j] == BOILERPLATE or (lines[j] == 1 and len(texts[j]) <= 100 and not prose[j])):
                kept = [k for k in range(j + 1, n) if kinds[k] != BOILERPLATE][:1]
                if texts[j].strip().lower() in _REF_HEADS or (kinds[j] == BODY and any(prose[k] for k in kept)) \
                        or (contiguous and apart[j] and j > i + 1):
                    break  # a references section, or the heading (or title) of the prose that follows
                kinds[j] = BOILERPLATE
                j += 1
            i = j
        else:
            i += 1
    _references(texts, kinds, ends_page)
    # A block of metadata lines ("Interviewer: K. Park", "Duration: 2 h") before the first prose paragraph.
    first_prose = next((i for i in range(n) if prose[i] and kinds[i] == BODY), n)
    meta = [kinds[i] != HEADING and lines[i] == 1 and not ends_sentence(texts[i])
            and _KEY_VALUE.fullmatch(texts[i]) is not None for i in range(first_prose)]
    for i in range(first_prose):
        if meta[i] and ((i > 0 and meta[i - 1]) or (i + 1 < first_prose and meta[i + 1])):
            kinds[i] = BOILERPLATE
    # Headings: short unpunctuated lines whose next kept paragraph is prose (or another heading before prose).
    nxt: int | None = None  # index of the next body paragraph that is prose, seen from the end
    heading_after = 0  # headings just below this line (a title over a subtitle, a section over a subsection)
    for i in range(n - 1, -1, -1):
        if kinds[i] != BODY:
            continue
        if prose[i]:
            nxt, heading_after = i, 0
            continue
        t = texts[i]
        numbered = bool(_NUMBERED_HEAD.match(t))
        if lines[i] <= 2 and nxt is not None and _heading_shape(t) and \
                (heading_after == 0 or numbered or (heading_after < 3 and len(t.split()) >= 3)):
            kinds[i] = HEADING
            heading_after += 1
            continue
        heading_after = 0
        if not _ASIDE.fullmatch(t):  # a bracketed aside, "(10시04분 개의)", does not part a heading from its text
            nxt = None if not prose[i] and _short_line(t) else nxt
    # A table of contents: a run of three or more short lines whose texts come back later in the document.
    seen = Counter(t.strip().lower() for t in texts)
    i = 0
    while i < n:
        j = i
        while j < n and lines[j] == 1 and len(texts[j]) <= 80 and not prose[j] and kinds[j] in (BODY, HEADING):
            j += 1
        if j - i >= 3 and sum(seen[texts[k].strip().lower()] >= 2 for k in range(i, j)) >= 0.6 * (j - i):
            for k in range(i, j):
                kinds[k] = BOILERPLATE
        i = max(j, i + 1)
    # A title: when a byline or a view count came between it and the text, the longest heading-shaped
    # line above the first prose paragraph is the title, if it is longer than the headings found there.
    first_prose = next((i for i in range(n) if prose[i] and kinds[i] == BODY), n)
    if first_prose < n:
        top = [i for i in range(first_prose) if kinds[i] == BODY and lines[i] <= 2 and len(texts[i]) >= 8
               and _heading_shape(texts[i]) and not ends_sentence(texts[i])]
        longest = max((len(texts[i]) for i in range(first_prose) if kinds[i] == HEADING), default=0)
        if top and max(len(texts[i]) for i in top) > max(longest, 15):
            kinds[max(top, key=lambda i: (len(texts[i]), -i))] = HEADING
    # Outside the article (before its first prose paragraph, after its last), short unpunctuated lines are chrome.
    prose_at = [i for i in range(n) if prose[i] and kinds[i] == BODY]
    if prose_at:
        first, last = prose_at[0], prose_at[-1]
        for i in range(n):
            if kinds[i] == BODY and (i < first or i > last) and _short_line(texts[i]) and lines[i] == 1:
                kinds[i] = BOILERPLATE
        # A run of three or more short unpunctuated lines inside the article is a menu or a widget.
        i = first
        while i <= last:
            j = i
            while j <= last and kinds[j] in (BODY, BOILERPLATE) and _short_line(texts[j]) and \
                    len(texts[j]) <= 30 and lines[j] == 1 and not prose[j]:
                j += 1
            if j - i >= 3:
                for k in range(i, j):
                    kinds[k] = BOILERPLATE
            i = max(j, i + 1)
    return kinds


def _references(texts: Sequence[str], kinds: list[str], ends_page: Sequence[bool]) -> None:
    """Mark footnotes, endnotes and bibliography entries (and the heading of a references section)."""
    n = len(texts)
    in_refs = False
    note = [bool(_NOTE_MARK.match(t)) and len(t) <= 700 and (
        _CITATION.search(t) is not None or (len(t) <= 200 and _WEAK_CITATION.search(t) is not None)) for t in texts]
    for i, t in enumerate(texts):
        if kinds[i] == BOILERPLATE:
            continue
        if len(t) <= 40 and _norm(t) in _REF_HEADS:
            kinds[i] = HEADING
            in_refs = True
            continue
        if in_refs:
            if len(t) <= 700 and (_NOTE_MARK.match(t) or _CITATION.search(t) or _WEAK_CITATION.search(t)):
                kinds[i] = REFERENCE
                continue
            in_refs = False
        if note[i] and (ends_page[i] or (i + 1 < n and note[i + 1]) or (i > 0 and kinds[i - 1] == REFERENCE)
                        or i == n - 1):
            kinds[i] = REFERENCE
