# ruff: noqa: E501 - the lines are Chinese copy, kept whole for reading.
"""Write data/shop/demo/products.zh.json: our own Chinese names and copy for the demo shop.

Why a script: the English demo copy is itself written per product type from the attributes
(bot/shop/demo_catalog.py); the Chinese copy is written the same way, as Chinese e-commerce
copy per type (selling points first, the numbers of the product), not a translation of the
English sentences. Brand and model names stay in Latin letters, as Chinese shops print them.
Every product gets a Chinese name; the first five products of each type get a Chinese
description and the rest are left described only in English on purpose (issue 20: a Chinese
query must find a product described only in English).

    python scripts/demo_zh_copy.py  # rewrites data/shop/demo/products.zh.json
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DESCRIBED_PER_TYPE = 5

FEATURES = {
    "removable insole": "可拆卸鞋垫",
    "quick-lace system": "快速系带",
    "gusseted tongue": "防沙鞋舌",
    "rock plate": "防石板",
    "gaiter attachment point": "雪套挂点",
    "toe bumper": "防撞鞋头",
    "reflective heel tab": "后跟反光条",
    "carbon-free nylon plate": "尼龙推进板",
    "padded collar": "加厚鞋口",
    "knit upper": "针织鞋面",
    "recycled laces": "再生材料鞋带",
    "wide toe box": "宽楦头",
    "reflective details": "反光细节",
    "antimicrobial lining": "抗菌内衬",
    "rubber toe cap": "橡胶护趾",
    "padded ankle collar": "软垫护踝",
    "lugged rubber outsole": "深齿橡胶大底",
    "TPU shank": "TPU 稳定片",
    "metal lace hooks": "金属鞋带扣",
    "pit zips": "腋下透气拉链",
    "adjustable hood": "可调节帽檐",
    "two zipped hand pockets": "两个拉链手插袋",
    "Velcro cuffs": "魔术贴袖口",
    "hem drawcord": "下摆抽绳",
    "fully taped seams": "全压胶防水接缝",
    "rain cover": "防雨罩",
    "sternum strap with whistle": "带求生哨的胸扣",
    "ventilated back panel": "透气背板",
    "hip belt": "腰带",
    "hydration sleeve": "水袋仓",
    "trekking pole loops": "登山杖挂环",
}
MATERIALS = {
    "mesh": "透气网布",
    "waterproof mesh": "防水网布",
    "nubuck leather": "磨砂牛皮",
    "suede and nylon": "翻毛皮拼尼龙",
    "canvas": "帆布",
    "leather": "真皮",
    "recycled knit": "再生针织",
    "suede": "翻毛皮",
    "nylon webbing": "尼龙织带",
    "recycled polyester": "再生聚酯纤维",
    "cotton-linen blend": "棉麻混纺",
    "merino wool": "美利奴羊毛",
    "organic cotton": "有机棉",
    "cotton cable-knit": "麻花针织棉",
    "lambswool": "小羊毛",
    "recycled wool": "再生羊毛",
    "PVC-free PU": "无 PVC 的 PU",
    "TPE": "TPE",
    "cork and rubber": "软木拼天然橡胶",
    "natural rubber": "天然橡胶",
    "borosilicate glass": "高硼硅玻璃",
    "melamine": "密胺",
    "German X50CrMoV15 steel": "德国 X50CrMoV15 钢",
    "high-carbon steel": "高碳钢",
    "aluminium": "铝合金",
    "carbon fibre": "碳纤维",
    "heavy cotton canvas": "厚棉帆布",
    "waxed canvas": "油蜡帆布",
}
SOLES = {"cupsole": "杯底", "natural crepe": "天然生胶底", "vulcanised rubber": "硫化橡胶底"}
ACTIVES = {"ceramides": "神经酰胺", "hyaluronic acid": "玻尿酸", "squalane": "角鲨烷"}
HAIR = {"all": "各种发质", "curly": "卷发", "dry": "干性发质"}
NECK = {"crew neck": "圆领", "v-neck": "V领"}
FIT = {"slim": "修身", "straight": "直筒", "relaxed": "宽松"}
ZIP = {"half-zip": "半拉链", "full-zip": "全开襟拉链", "quarter-zip": "四分之一拉链"}
CUT = {"high": "高帮", "mid": "中帮"}


def _list(items: list[str]) -> str:
    return "、".join(FEATURES.get(i, i) for i in items)


def _mat(a: dict[str, Any]) -> str:
    return MATERIALS.get(str(a.get("material")), str(a.get("material", "")))


def _g(grams: Any) -> str:
    return f"{grams} 克"


def copy_for(kind: str, a: dict[str, Any]) -> tuple[str, str]:
    """(the Chinese product type for the name, the Chinese description) of one product."""
    f = a.get("features", [])
    if kind == "Trail Running Shoe":
        wet = a.get("waterproof")
        return ("防水越野跑鞋" if wet else "越野跑鞋"), (
            f"专为山径打造的越野跑鞋：{_mat(a)}鞋面，{a['lug_depth_mm']} 毫米深齿橡胶大底，"
            f"碎石土路、湿滑岩面都抓得稳。单只约 {_g(a['weight_g'])}（42 码），"
            f"前后掌落差 {a['drop_mm']} 毫米，EVA 中底缓震。细节：{_list(f)}。"
            + (
                "防水膜踩水过溪也不湿脚，长距离越野双脚保持干爽。"
                if wet
                else "鞋面透气快干，适合干燥天气的山地跑。"
            )
        )
    if kind == "Road Running Shoe":
        return "公路跑鞋", (
            f"轻量公路跑鞋，{a['stack_mm']} 毫米厚回弹中底，落差 {a['drop_mm']} 毫米，"
            f"42 码单只仅 {_g(a['weight_g'])}。亮点：{_list(f)}。鞋面不防水，主打透气，"
            "夏天节奏跑、日常慢跑、马拉松训练都合适。"
        )
    if kind == "Hiking Boot":
        wet = a.get("waterproof")
        return f"{CUT[a['cut']]}{'防水' if wet else ''}登山靴", (
            f"{CUT[a['cut']]}徒步登山靴，{_mat(a)}靴面，{_list(f)}。"
            f"单只约 {_g(a['weight_g'])}，包裹稳定，长线重装也不累脚。"
            + (
                "内置防水透气膜，雨天泥泞山路照样干爽。"
                if wet
                else "不带防水膜，更透气，适合晴天徒步。"
            )
        )
    if kind == "Sneaker":
        wash = "可机洗（30 °C）" if a.get("machine_washable") else "不建议机洗，用湿布擦拭即可"
        return "休闲板鞋", (
            f"百搭低帮休闲鞋，{_mat(a)}鞋面配{SOLES[a['sole']]}，棉质内里加软垫鞋垫，"
            f"通勤逛街一整天都舒服。{wash}。"
        )
    if kind == "Sport Sandal":
        return "运动凉鞋", (
            f"户外运动凉鞋，{_mat(a)}可调节绑带，防滑橡胶大底，速干耐水，溯溪、海边、"
            f"夏季徒步都能穿。单只约 {_g(a['weight_g'])}（42 码），鞋床经过防臭处理。"
        )
    if kind == "Rain Jacket":
        pack = "可收纳进自身口袋，" if a.get("packable") else ""
        return "防水冲锋衣", (
            f"2.5 层防水冲锋衣（雨衣），静水压 {a['waterproof_rating_mm']} 毫米，"
            f"再生尼龙面料。配置：{_list(f)}。M 码约 {_g(a['weight_g'])}，{pack}"
            "可机洗，定期补涂防泼水涂层效果更持久。下雨天徒步、骑行、通勤都靠得住。"
        )
    if kind == "Down Jacket":
        return f"{a['fill_power']} 蓬鸭绒羽绒服", (
            f"保暖羽绒服，充绒 {a['fill_weight_g']} 克、{a['fill_power']} 蓬松度的负责任来源羽绒，"
            "轻薄却很暖。防撕裂面料带防泼水涂层，小雪毛毛雨不怕，但并非防水款。"
            "附收纳袋，压缩后只有水瓶大小，冬季旅行、登山露营必备。"
        )
    if kind == "Fleece Jacket":
        return "抓绒外套", (
            f"{ZIP[a['zip']]}抓绒衣，{a['fleece_weight']} 克重再生聚酯抓绒，受潮依然保暖，干得快。"
            "两个拉链手插袋，弹力包边下摆，可机洗（30 °C）。秋冬打底、春秋单穿都合适。"
        )
    if kind == "Softshell Jacket":
        return "防风软壳衣", (
            f"弹力软壳外套，含 {a['stretch_pct']}% 氨纶，攀爬动作不受限。面料防风、防泼水，"
            "小阵雨可以应付，但不是完全防水。可容纳头盔的兜帽，两个胸前口袋。"
        )
    if kind == "Hiking Trousers":
        off = "裤腿可拆成短裤，" if a.get("zip_off") else ""
        return ("速干两截登山裤" if a.get("zip_off") else "速干登山裤"), (
            f"轻量徒步裤，弹力尼龙面料，UPF {a['upf']} 防晒。{off}"
            "五个口袋，大腿侧拉链袋放手机正好。可机洗，户外爬山、旅行都方便。"
        )
    if kind == "T-Shirt":
        mat = _mat(a)
        care = "可机洗" if a.get("machine_washable") else "建议手洗或羊毛洗程序"
        extra = (
            "美利奴羊毛天然抗异味，连穿几天也清爽。"
            if "merino" in a["material"]
            else "亲肤透气，日常百搭。"
        )
        return f"{mat}{NECK[a['neck']]}T恤", (
            f"{NECK[a['neck']]}短袖 T 恤，{a['fabric_weight_gsm']} 克/平方米{mat}，宽松版型。{extra}{care}。"
        )
    if kind == "Hoodie":
        return "加绒连帽卫衣", (
            f"厚实连帽卫衣，{a['fabric_weight_gsm']} 克/平方米刷毛棉，帽子带内衬，前面是袋鼠兜。"
            "罗纹袖口和下摆不易变形，可机洗（30 °C）。"
        )
    if kind == "Jeans":
        stretch = "弹力" if a.get("stretch") else "无弹"
        return f"{FIT[a['fit']]}牛仔裤", (
            f"{FIT[a['fit']]}版型牛仔裤，{a['denim_oz']} 盎司{stretch}纯棉丹宁，五袋款、纽扣门襟，"
            "受力处打枣加固，耐穿。建议反面冷水洗。"
        )
    if kind == "Flannel Shirt":
        return "格纹法兰绒衬衫", (
            f"经典格纹法兰绒衬衫，{a['fabric_weight_gsm']} 克/平方米磨毛棉布，两个胸袋、弧形下摆。"
            "第一次穿就很柔软，可机洗，秋冬叠穿很有型。"
        )
    if kind == "Sweater":
        care = "可机洗" if a.get("machine_washable") else "冷水手洗、平铺晾干"
        return "针织毛衣", (
            f"圆领针织毛衣，{_mat(a)}织成，保暖不臃肿，罗纹领口、袖口和下摆。{care}。"
        )
    if kind == "Daypack":
        return f"{a['capacity_l']}L 徒步双肩包", (
            f"{a['capacity_l']} 升登山徒步背包，自重 {_g(a['weight_g'])}，配{_list(f)}。"
            "涂层面料防泼水（不是完全防水），可放 2 升水袋，一日爬山郊游刚好。"
        )
    if kind == "Travel Backpack":
        return f"{a['capacity_l']}L 旅行背包", (
            f"{a['capacity_l']} 升旅行背包，像行李箱一样全开口，符合大多数航空公司登机箱尺寸。"
            "肩带可收起、拉链可上锁，独立 16 英寸电脑仓，600D 防泼水涤纶。出差旅行一包搞定。"
        )
    if kind == "Laptop Backpack":
        return f"{a['laptop_inches']} 英寸电脑双肩包", (
            f"{a['capacity_l']} 升通勤电脑包，悬浮式电脑仓可放 {a['laptop_inches']} 英寸笔记本，"
            "背面有拉杆箱固定带，顶部快取口袋。再生尼龙防泼水，反光条夜归更安全。"
        )
    if kind == "Duffel Bag":
        return "防泼水旅行袋", (
            "结实的行李袋（旅行包），TPU 覆膜涤纶不怕雨和灰。软垫肩带可变双肩背，"
            "侧边鞋仓单独放鞋，空包时能折进自己的侧袋。健身、出差、短途旅行都好用。"
        )
    if kind == "Tote Bag":
        return "帆布托特包", (
            f"大容量托特包，{_mat(a)}配皮革加固提手，内有拉链袋，磁扣开合。"
            "能装下 15 英寸笔记本和一天的菜，通勤买菜两不误。"
        )
    if kind == "Insulated Bottle":
        return "真空保温杯", (
            f"双层真空不锈钢保温杯（保温水壶），冷饮保冷 {a['cold_hours']} 小时，热饮也能长时间保温。"
            "防漏杯盖带提环，不含 BPA。杯身请手洗。"
        )
    if kind == "Cast-Iron Skillet":
        return "铸铁平底锅", (
            f"预开锅铸铁煎锅，重 {a['weight_kg']} 公斤，燃气灶、烤箱、烤架和篝火都能用，"
            "电磁炉也适用。手洗后擦干、薄涂一层油保养。"
        )
    if kind == "French Press":
        return "法压壶", (
            "高硼硅玻璃法压咖啡壶，四层不锈钢滤网，咖啡渣不进杯。所有部件都可以放洗碗机。"
        )
    if kind == "Chef's Knife":
        return f"{a['blade_cm']} 厘米主厨刀", (
            f"{a['blade_cm']} 厘米主厨刀（厨师刀），{_mat(a)}锻造，硬度高、锋利持久。"
            "全龙骨刀柄，重心落在刀枕。只可手洗，切勿放洗碗机。"
        )
    if kind == "Electric Kettle":
        temp = "支持多档温控，泡茶冲咖啡各取所需，" if a.get("variable_temperature") else ""
        return ("温控电热水壶" if a.get("variable_temperature") else "电热水壶"), (
            f"{a['capacity_l']} 升电热水壶，{a['power_w']} 瓦大功率，{temp}烧开自动断电。"
            "一杯水不到一分钟就开，带水垢过滤网和 360° 无线底座。"
        )
    if kind == "Mixing Bowl Set":
        return f"{a['pieces']} 件套搅拌碗", (
            f"{a['pieces']} 个一套的可叠放搅拌碗（和面盆），{_mat(a)}材质，"
            "底部防滑、带倒流口，烘焙备菜都方便，可放洗碗机。"
        )
    if kind == "Wireless Earbuds":
        anc = "主动降噪" if a.get("noise_cancelling") else ""
        return f"{anc}真无线蓝牙耳机", (
            f"真无线蓝牙耳机，{anc + '，' if anc else ''}单次续航 {a['battery_hours']} 小时，"
            f"充电盒再加 {a['case_hours']} 小时。{a['water_resistance']} 防汗防雨，运动通勤都能戴。"
            "蓝牙 5.3，USB-C 充电。"
        )
    if kind == "Bluetooth Speaker":
        return "便携蓝牙音箱", (
            f"便携蓝牙音响，{a['power_w']} 瓦输出，续航 {a['battery_hours']} 小时，"
            f"{a['water_resistance']} 防水，户外淋雨也不怕。两台可配对组成立体声。"
        )
    if kind == "Power Bank":
        return f"{a['output_w']}W 快充充电宝", (
            f"快充充电宝（移动电源），USB-C PD {a['output_w']} 瓦输出，手机平板都能快充。"
            "两个 USB-C 口加一个 USB-A 口，数显屏显示剩余电量百分比。"
        )
    if kind == "USB-C Charger":
        return f"{a['output_w']}W 氮化镓充电器", (
            f"小巧的氮化镓（GaN）充电头，总功率 {a['output_w']} 瓦，{a['usb_c_ports']} 个 USB-C 口，"
            "插脚可折叠，笔记本、平板、手机都能充。"
        )
    if kind == "Wireless Mouse":
        return "静音无线鼠标", (
            f"静音无线鼠标，最高 {a['dpi']} DPI，蓝牙和 USB 接收器双模连接，"
            f"一节 5 号电池约用 {a['battery_months']} 个月。办公、出差带着都方便。"
        )
    if kind == "Yoga Mat":
        return "防滑瑜伽垫", (
            f"防滑瑜伽垫，{_mat(a)}材质，尺寸 {a['length_cm']} × 61 厘米。"
            "纹理表面，热瑜伽出汗也不打滑，湿布一擦就干净，附赠背带。"
        )
    if kind == "Adjustable Dumbbell":
        return "可调节哑铃", (
            f"可调节哑铃，一只顶一整排：旋钮调重，2 到 {a['max_weight_kg']} 公斤，每档 2 公斤。"
            "钢制配重片配专用底座，单只销售，在家练力量省空间。"
        )
    if kind == "Resistance Band Set":
        return "弹力带套装", (
            f"{a['pieces']} 条一套的弹力带（阻力带），从轻到重，不含乳胶，配门扣、把手和脚踝绑带，"
            "装进网袋随身带，居家健身、出差锻炼都行。"
        )
    if kind == "Foam Roller":
        return "泡沫轴", (
            f"{a['length_cm']} 厘米泡沫轴（瑜伽柱），网格纹表面，放松酸痛的小腿和僵硬的后背。"
            f"中空设计，最大承重 {a['max_load_kg']} 公斤。"
        )
    if kind == "Cycling Helmet":
        return "骑行头盔", (
            f"公路/砾石骑行头盔，{a['vents']} 个通风孔，带防旋转冲击内衬。"
            f"M 码约 {_g(a['weight_g'])}，后脑旋钮单手就能调松紧。"
        )
    if kind == "Face Moisturiser":
        spf = f"含 SPF {a['spf']} 防晒，白天直接用。" if a.get("spf") else ""
        return "保湿面霜", (
            f"清爽日用保湿面霜，添加{ACTIVES[a['active']]}，无香精，敏感肌也能用。{spf}"
            "纯素配方，不做动物实验。"
        )
    if kind == "Shampoo":
        return "无硫酸盐洗发水", (
            f"温和无硫酸盐洗发水，适合{HAIR[a['hair_type']]}，含燕麦蛋白，淡淡草本香，"
            "护色配方，瓶身用再生塑料制成。"
        )
    if kind == "Mineral Sunscreen":
        return f"SPF{a['spf']} 物理防晒霜", (
            f"物理防晒霜（氧化锌），SPF {a['spf']}，广谱防护 UVA/UVB，"
            f"防水 {a['water_resistant_minutes']} 分钟，不含二苯酮，对珊瑚礁友好。游泳、海边、户外都适用。"
        )
    if kind == "Electric Toothbrush":
        return "声波电动牙刷", (
            f"声波电动牙刷，{a['modes']} 种清洁模式，两分钟智能计时，充一次电用 {a['battery_days']} 天。"
            "附两个刷头和旅行收纳盒。"
        )
    if kind == "Lip Balm Set":
        return "润唇膏套装", (
            f"{a['pieces']} 支装润唇膏，蜂蜡和乳木果油配方，薄荷、香草、莓果多种口味，"
            "每支都有 SPF 15 防晒，秋冬防干裂。"
        )
    if kind == "Building Set":
        return "拼插积木", (
            f"{a['pieces']} 颗拼插积木，适合 {a['min_age']} 岁以上的孩子，附图解说明书，"
            "可以拼三种造型。兼容常见积木标准，ABS 塑料。"
        )
    if kind == "Wooden Puzzle":
        return "木质拼图", (
            f"{a['pieces']} 片木质拼图，适合 {a['min_age']} 岁以上，厚实圆角不伤手，植物油墨印刷，"
            "配棉布收纳袋。"
        )
    if kind == "Plush Toy":
        return "毛绒玩具", (
            f"{a['height_cm']} 厘米毛绒玩偶，再生聚酯纤维，眼睛是绣上去的，新生儿也能安心玩。"
            "装洗衣袋可机洗（30 °C）。"
        )
    if kind == "Kids' Rain Boots":
        return "儿童雨靴", (
            "儿童防水雨鞋，天然橡胶靴身，带提拉把手和反光条。加绒内衬鞋床，"
            "约 5 °C 的天气也能保暖，下雨天踩水坑尽情玩。"
        )
    if kind == "Art Set":
        return "儿童绘画套装", (
            f"{a['pieces']} 件儿童美术套装：可水洗马克笔、蜡笔、彩色铅笔和素描本，"
            "装在带提手的木盒里。无毒，沾到皮肤和大多数衣物都能洗掉。"
        )
    if kind == "Backpacking Tent":
        kg = a["weight_g"] / 1000
        return f"{a['capacity_people']} 人徒步帐篷", (
            f"{a['capacity_people']} 人轻量徒步露营帐篷，打包重量 {kg:g} 公斤，"
            f"外帐防水 {a['waterproof_rating_mm']} 毫米，接缝压胶。颜色区分帐杆，五分钟内搭好。"
        )
    if kind == "Sleeping Bag":
        fill = "鸭绒" if a["fill"] == "duck down" else "化纤棉"
        return f"{fill}木乃伊睡袋", (
            f"木乃伊式{fill}睡袋，舒适温度 {a['comfort_c']} °C，双向拉链加防风肩领，"
            "附压缩袋，露营徒步好收纳。"
        )
    if kind == "Headlamp":
        return "充电头灯", (
            f"USB-C 充电头灯，亮度 {a['lumens']} 流明，带红光夜间模式和防误触锁，"
            "IPX4 防溅水。夜跑、露营、夜爬山解放双手。"
        )
    if kind == "Camp Stove":
        return "户外气炉", (
            f"气罐式户外炉头（野营炉），重 {_g(a['weight_g'])}，"
            f"约 {a['boil_minutes']} 分钟烧开 1 升水。电子点火，锅架可折叠。"
        )
    if kind == "Trekking Poles":
        mat = _mat(a)
        return f"{mat}登山杖", (
            f"一对折叠登山杖（徒步手杖），{mat}杖身，一对 {_g(a['weight_g'])}，"
            "长度可调，软木握把，钨钢杖尖配橡胶保护套，上坡下坡省力护膝。"
        )
    raise KeyError(kind)


def main() -> None:
    products = json.loads((ROOT / "data/shop/demo/products.json").read_text(encoding="utf-8"))
    seen: Counter[str] = Counter()
    out: dict[str, dict[str, str]] = {}
    for p in products:
        model_and_kind = p["name"][len(p["brand"]) + 1 :]
        model, kind = model_and_kind.split(" ", 1)
        kind_zh, description = copy_for(kind, p["attributes"])
        entry = {"name": f"{p['brand']} {model} {kind_zh}"}
        seen[kind] += 1
        if seen[kind] <= DESCRIBED_PER_TYPE:
            entry["description"] = description
        out[p["id"]] = entry
    path = ROOT / "data/shop/demo/products.zh.json"
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    described = sum("description" in e for e in out.values())
    print(f"{path}: {len(out)} names, {described} descriptions")


if __name__ == "__main__":
    main()
