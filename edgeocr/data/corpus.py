"""A small built-in corpus and a sampler that turns it into realistic text lines.

Real words (shop signs, street names, notices, everyday English) read like the text the
PP-OCRv2 models were trained on, so accuracy measured on synthetic lines means
something; random character soup would not. Every character here is in
``ppocr_keys_v1.txt`` (a test checks it), and lines are filtered against the active
dictionary anyway.
"""

from __future__ import annotations

import numpy as np

CN_SHOP_SIGNS = (
    "便民超市", "新华书店", "中国银行", "中国工商银行", "建设银行", "农业银行", "招商银行", "邮政储蓄",
    "老王牛肉面", "兰州拉面", "沙县小吃", "重庆火锅", "四川菜馆", "东北饺子馆", "麻辣烫", "黄焖鸡米饭",
    "肯德基", "麦当劳", "星巴克咖啡", "蛋糕店", "水果店", "鲜花店", "眼镜店", "药房", "大药房",
    "五金建材", "家电维修", "手机维修", "美容美发", "洗衣店", "照相馆", "便利店", "烟酒茶叶",
    "汽车美容", "快递服务站", "小吃店", "烧烤", "早餐店", "包子铺", "豆浆油条", "酸菜鱼",
    "人民医院", "中医院", "口腔诊所", "实验小学", "第一中学", "幼儿园", "图书馆", "体育馆",
    "电影院", "购物中心", "百货大楼", "农贸市场", "停车场", "加油站", "派出所", "邮局",
    "大酒店", "宾馆", "快捷酒店", "茶楼", "面包房", "奶茶店", "服装店", "鞋店", "童装",
)
CN_STREETS = (
    "中山路", "人民路", "解放路", "建设路", "和平街", "长安街", "南京路", "北京路", "延安路",
    "胜利路", "新华街", "文化路", "学院路", "东风路", "光明街", "朝阳路", "复兴路", "青年路",
    "人民大道", "世纪大道", "滨江路", "湖滨路", "花园街", "友谊路", "黄河路", "长江路",
    "中山北路", "解放南路", "建国门外大街", "五一广场", "人民广场", "火车站", "汽车站", "地铁站",
)
CN_WORDS = (
    "欢迎光临", "营业时间", "禁止吸烟", "请勿停车", "出口", "入口", "安全出口", "小心地滑",
    "优惠活动", "全场八折", "新品上市", "买一送一", "限时特价", "开业大吉", "生意兴隆", "恭喜发财",
    "联系电话", "地址", "电话", "价格", "数量", "合计", "日期", "时间", "备注", "说明书",
    "中华人民共和国", "北京市", "上海市", "广州市", "深圳市", "杭州市", "成都市", "武汉市", "西安市",
    "公司", "有限公司", "科技", "发展", "服务", "管理", "中心", "办公室", "会议室", "洗手间",
    "学习", "工作", "生活", "健康", "快乐", "幸福", "美丽", "城市", "文明", "和谐", "安全",
    "产品", "质量", "标准", "合格证", "生产日期", "保质期", "净含量", "配料", "储存条件",
    "注意事项", "使用方法", "温馨提示", "请排队", "谢谢合作", "小区", "单元", "号楼", "室",
    "免费", "外卖", "堂食", "打包", "套餐", "米饭", "面条", "牛肉", "鸡蛋", "蔬菜", "水果", "饮料",
    "天气", "今天", "明天", "星期一", "星期五", "上午", "下午", "晚上", "东", "南", "西", "北",
)
CN_UNITS = ("号", "元", "米", "公里", "层", "栋", "楼", "室", "路", "站", "分钟", "小时", "年", "月", "日")

EN_WORDS = (
    "open", "closed", "welcome", "coffee", "tea", "bakery", "restaurant", "hotel", "bank", "market",
    "street", "road", "avenue", "station", "exit", "entrance", "parking", "pharmacy", "school",
    "center", "city", "park", "garden", "store", "shop", "fresh", "food", "sale", "price", "free",
    "service", "phone", "email", "office", "room", "floor", "north", "south", "east", "west",
    "daily", "special", "menu", "breakfast", "lunch", "dinner", "delivery", "express", "new",
    "best", "quality", "product", "made", "in", "china", "and", "the", "of", "for", "with", "to",
    "please", "do", "not", "enter", "no", "smoking", "thank", "you", "hours", "time", "date",
    "total", "change", "cash", "card", "order", "table", "water", "milk", "bread", "rice", "noodle",
)
EN_PHRASES = (
    "OPEN 24 HOURS", "Free WiFi", "Coffee & Tea", "No Smoking", "Thank You", "Welcome",
    "Emergency Exit", "Push", "Pull", "Made in China", "Best Before", "Keep Dry", "Fragile",
    "Customer Service", "Grand Opening", "Happy New Year", "Hello World", "Bus Stop",
)


class LineSampler:
    """Draws text lines from the corpus: Chinese, English, numbers/dates and mixes of them.

    All randomness comes from the given generator, so a seed fixes every line.
    """

    KINDS = ("zh", "en", "number", "mixed")
    KIND_WEIGHTS = (0.40, 0.25, 0.10, 0.25)

    def __init__(self, rng: np.random.Generator, allowed: frozenset[str]) -> None:
        self.rng = rng
        self.allowed = allowed

    def line(self) -> str:
        """One line of text made only of ``allowed`` characters."""
        while True:
            kind = self.KINDS[self.rng.choice(len(self.KINDS), p=self.KIND_WEIGHTS)]
            text = getattr(self, f"_{kind}")().strip()
            if text and all(c in self.allowed for c in text):
                return text

    def _pick(self, items: tuple[str, ...]) -> str:
        return items[int(self.rng.integers(len(items)))]

    def _int(self, lo: int, hi: int) -> int:
        return int(self.rng.integers(lo, hi + 1))

    def _zh(self) -> str:
        pools = (CN_SHOP_SIGNS, CN_STREETS, CN_WORDS)
        parts = [self._pick(pools[int(self.rng.integers(3))]) for _ in range(self._int(1, 3))]
        sep = self._pick(("", "", "", " ", "，", "·"))
        return sep.join(parts)

    def _en(self) -> str:
        if self.rng.random() < 0.3:
            return self._pick(EN_PHRASES)
        words = [self._pick(EN_WORDS) for _ in range(self._int(1, 4))]
        style = self._int(0, 2)
        if style == 0:
            words = [w.capitalize() for w in words]
        elif style == 1:
            words = [w.upper() for w in words]
        return " ".join(words)

    def _number(self, form: int | None = None) -> str:
        """A date, time range, price, phone number or percentage (``form`` 0-6, random if None)."""
        form = self._int(0, 6) if form is None else form
        y, m, d = self._int(1990, 2024), self._int(1, 12), self._int(1, 28)
        if form == 0:
            return f"{y}-{m:02d}-{d:02d}"
        if form == 1:
            return f"{y}/{m}/{d}"
        if form == 2:
            return f"{self._int(6, 11)}:{self._pick(('00', '30'))}-{self._int(17, 23)}:{self._pick(('00', '30'))}"
        if form == 3:
            return f"{self._pick(('¥', '$', ''))}{self._int(1, 999)}.{self._int(0, 99):02d}"
        if form == 4:
            return f"{self._int(10, 999):03d}-{self._int(1000, 9999)}-{self._int(1000, 9999)}"
        if form == 5:
            return f"1{self._int(30, 89)}{self._int(1000, 9999)}{self._int(1000, 9999)}"
        return f"{self._int(1, 99)}%"

    def _mixed(self) -> str:
        form = self._int(0, 6)
        if form == 0:
            return f"{self._pick(CN_STREETS)}{self._int(1, 999)}号"
        if form == 1:
            return f"{self._pick(('营业时间', '时间', '开放时间'))}{self._pick(('', ' ', '：'))}{self._number(2)}"
        if form == 2:
            return f"{self._pick(('电话：', '联系电话：', '热线 ', 'Tel:', 'Tel '))}{self._number(self._int(4, 5))}"
        if form == 3:
            return f"{self._pick(CN_WORDS)}{self._int(1, 500)}{self._pick(CN_UNITS)}"
        if form == 4:
            return f"{self._pick(CN_SHOP_SIGNS)} {self._pick(EN_PHRASES)}"
        if form == 5:
            return f"{self._pick(('日期', '生产日期', '保质期至'))}{self._pick(('：', ' ', ''))}{self._number(0)}"
        return f"{self._pick(('价格', '合计', '特价'))}{self._pick(('：', ' '))}{self._int(1, 999)}元"
