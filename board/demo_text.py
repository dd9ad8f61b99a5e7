"""The demo community's texts in both languages: what was stored → (Chinese, English).

The seed (board/demo.py, board/box/demo.py) stores one text per name or title; readers see it in
their own language through `board.i18n.local` (every template value and every _() argument goes
through it). Residents' own texts are never translated. tests/test_demo_language.py fails on a
seeded text missing here.
"""
TEXTS: dict[str, tuple[str, str]] = {
    # The community and its buildings
    "锦庭花园 Jinting Garden": ("锦庭花园", "Jinting Garden"),
    "Building 1": ("1号楼", "Building 1"),
    "Building 2": ("2号楼", "Building 2"),
    "Building 3": ("3号楼", "Building 3"),
    "Building 4": ("4号楼", "Building 4"),
    # Residents
    "网格员 王姐 (Wang, grid worker)": ("网格员 王姐", "Ms Wang (grid worker)"),
    "李娜 Li Na": ("李娜", "Li Na"),
    "赵叔 Uncle Zhao": ("赵叔", "Uncle Zhao"),
    "陈医生 Dr Chen": ("陈医生", "Dr Chen"),
    "小梅 Xiaomei": ("小梅", "Xiaomei"),
    "刘奶奶 Grandma Liu": ("刘奶奶", "Grandma Liu"),
    "孙先生 Mr Sun": ("孙先生", "Mr Sun"),
    "周阿姨 Auntie Zhou": ("周阿姨", "Auntie Zhou"),
    "吴同学 Wu (student)": ("吴同学", "Wu (student)"),
    "何师傅 Master He": ("何师傅", "Master He"),
    "唐女士 Ms Tang": ("唐女士", "Ms Tang"),
    "高爷爷 Grandpa Gao": ("高爷爷", "Grandpa Gao"),
    # The care roster's door knock, written by the sweep, outside any request (board/roster/ladder.py)
    "Knock on the door: no answer to the check-in calls": ("请上门敲门：问候电话一直没人接",
                                                           "Knock on the door: no answer to the check-in calls"),
    # Volunteers' availability (board/volunteers/demo.py)
    "周一到周六上午 Mornings, Monday to Saturday": ("周一到周六上午", "Mornings, Monday to Saturday"),
    "晚上和周末 Evenings and weekends": ("晚上和周末", "Evenings and weekends"),
    # People without a login (board/demo.py PEOPLE)
    "高奶奶 Grandma Gao": ("高奶奶", "Grandma Gao"),
    "座机 Landline 6688 1234, or knock": ("座机6688 1234，或者直接敲门", "Landline 6688 1234, or knock"),
    "Through Grandpa Gao": ("请高爷爷转告", "Through Grandpa Gao"),
    "苏州话 Suzhou dialect": ("苏州话", "Suzhou dialect"),
    # The care roster (board/roster/demo.py)
    "氨氯地平 Amlodipine 5 mg": ("氨氯地平 5毫克", "Amlodipine 5 mg"),
    "她本人，电话里 She herself, on the phone": ("她本人，电话里同意", "She herself, on the phone"),
    "刘建国 Liu Jianguo": ("刘建国", "Liu Jianguo"),
    "儿子，在杭州 Her son, in Hangzhou": ("儿子，在杭州", "Her son, in Hangzhou"),
    "邻居，2号楼 Neighbour, Building 2": ("邻居，2号楼", "Neighbour, Building 2"),
    "血压药还够一周。 Blood-pressure pills for one more week.": (
        "血压药还够吃一周。", "Blood-pressure pills for one more week."),
    "高丽 Gao Li": ("高丽", "Gao Li"),
    "女儿，在上海 Her daughter, in Shanghai": ("女儿，在上海", "Her daughter, in Shanghai"),
    # Cards
    "急需孕妇能用的退烧药 Fever medicine a pregnant woman can take": (
        "急需孕妇能用的退烧药", "Fever medicine a pregnant woman can take"),
    "38.5 °C since this morning, 7 months pregnant. Paracetamol is what the doctor allows.": (
        "从早上起烧到 38.5 °C，怀孕 7 个月。医生说可以吃对乙酰氨基酚。",
        "38.5 °C since this morning, 7 months pregnant. Paracetamol is what the doctor allows."),
    "小孩子退烧药有吗 Children's fever medicine?": ("小孩子退烧药有吗？", "Children's fever medicine?"),
    "My son is 4. Ibuprofen suspension for children, any brand.": (
        "我儿子 4 岁。儿童布洛芬混悬液，什么牌子都行。", "My son is 4. Ibuprofen suspension for children, any brand."),
    "能帮我们买点退烧药吗 Can someone buy us fever medicine?": (
        "能帮我们买点退烧药吗？", "Can someone buy us fever medicine?"),
    "We are two old people at home and ran out. We can pay by WeChat.": (
        "家里就我们两个老人，药吃完了。可以微信付钱。", "We are two old people at home and ran out. We can pay by WeChat."),
    "这个我有 2 unopened boxes of ibuprofen": ("这个我有：2 盒未开封的布洛芬", "I have this: 2 unopened boxes of ibuprofen"),
    "Sealed, 0.3 g × 24 capsules. Will hang it on your door handle.": (
        "未开封，0.3 克 × 24 粒。我会挂在您家门把手上。", "Sealed, 0.3 g × 24 capsules. Will hang it on your door handle."),
    "Antigen tests, 5 left": ("抗原检测试剂，还剩 5 份", "Antigen tests, 5 left"),
    "Single packs, sealed.": ("单人份，未开封。", "Single packs, sealed."),
    "Fresh vegetables from my group buy": ("团购的新鲜蔬菜", "Fresh vegetables from my group buy"),
    "Bok choy and potatoes, enough for 3 families.": ("青菜和土豆，够 3 户人家。", "Bok choy and potatoes, enough for 3 families."),
    "Someone to call me in the evening": ("晚上有人给我打个电话", "Someone to call me in the evening"),
    "I live alone; a short chat at 19:00 would be kind.": (
        "我一个人住，晚上 7 点能聊几句就很好了。", "I live alone; a short chat at 19:00 would be kind."),
    "Going to the pharmacy at 15:00": ("下午 3 点去药店", "Going to the pharmacy at 15:00"),
    "I can bring back small things for Building 4.": ("可以给 4 号楼的邻居带点小东西回来。", "I can bring back small things for Building 4."),
    "Flour, butter and chocolate for a birthday cake": ("做生日蛋糕用的面粉、黄油和巧克力", "Flour, butter and chocolate for a birthday cake"),
    "The neighbours' children have a birthday this week; we want to bake for every child.": (
        "这周楼里有孩子过生日，我们想给每个孩子都烤一个蛋糕。",
        "The neighbours' children have a birthday this week; we want to bake for every child."),
    "Cold granules, sealed": ("感冒颗粒，未开封", "Cold granules, sealed"),
    "Two boxes, expire next year.": ("两盒，明年到期。", "Two boxes, expire next year."),
    "Rice and cooking oil": ("大米和食用油", "Rice and cooking oil"),
    "The shop is closed; a small bag of rice would do.": ("小店关门了，一小袋米就够。", "The shop is closed; a small bag of rice would do."),
    # The numbers' week (board/stats/demo.py)
    "Paracetamol for a fever": ("退烧用的对乙酰氨基酚", "Paracetamol for a fever"),
    "Vegetables for two days": ("够吃两天的蔬菜", "Vegetables for two days"),
    "Eggs and milk": ("鸡蛋和牛奶", "Eggs and milk"),
    "Masks for my father": ("给我父亲的口罩", "Masks for my father"),
    "Cough syrup": ("止咳糖浆", "Cough syrup"),
    "Bread for breakfast": ("早饭的面包", "Bread for breakfast"),
    "Spare masks, sealed": ("多出的口罩，未开封", "Spare masks, sealed"),
    "Home-made dumplings": ("自己包的饺子", "Home-made dumplings"),
    # Shelves, their items and register notes
    "共享药箱 Medicine box — property office": ("共享药箱（物业办公室）", "Medicine box (property office)"),
    "Property office, ground floor of Building 1": ("1号楼一楼物业办公室", "Property office, ground floor of Building 1"),
    "爱心角 Love corner — lobby of Building 3": ("爱心角（3号楼大堂）", "Love corner (lobby of Building 3)"),
    "Lobby of Building 3, beside the lifts": ("3号楼大堂，电梯旁", "Lobby of Building 3, beside the lifts"),
    "布洛芬 Ibuprofen 0.3 g × 24": ("布洛芬 0.3 克 × 24 粒", "Ibuprofen 0.3 g × 24"),
    "抗原检测 Antigen tests": ("抗原检测试剂", "Antigen tests"),
    "感冒灵颗粒 Cold granules": ("感冒灵颗粒", "Cold granules"),
    "儿童退烧药 Children's fever syrup": ("儿童退烧药", "Children's fever syrup"),
    "大米 Rice, 5 kg": ("大米（5 公斤）", "Rice, 5 kg"),
    "食用油 Cooking oil": ("食用油", "Cooking oil"),
    "挂面 Noodles": ("挂面", "Noodles"),
    "bought by the owners' committee and the property company": ("业委会和物业公司采购", "bought by the owners' committee and the property company"),
    "left by neighbours": ("邻居留下的", "left by neighbours"),
    "Two spare boxes, unopened.": ("多出的两盒，未开封。", "Two spare boxes, unopened."),
    # Volunteer points (board/points/demo.py)
    "便利店 老李 (Lao Li, corner shop)": ("便利店 老李", "Lao Li (corner shop)"),
    "矿泉水一箱 A case of bottled water": ("矿泉水一箱", "A case of bottled water"),
    "零食大礼包 A bag of snacks": ("零食大礼包", "A bag of snacks"),
    "20元购物券 A ¥20 shop voucher": ("20元购物券", "A ¥20 shop voucher"),
    "自取：1号楼底商便利店 Collect at the corner shop, Building 1": ("自取：1号楼底商便利店", "Collect at the corner shop, Building 1"),
    "帮忙带一袋米 A bag of rice, please": ("帮忙带一袋米", "A bag of rice, please"),
    "帮忙把桶装水搬上楼 Carry the water up to the 3rd floor": ("帮忙把桶装水搬上3楼", "Carry the water up to the 3rd floor"),
    "帮忙取个快递 Pick up a parcel at the gate": ("帮忙去门口取个快递", "Pick up a parcel at the gate"),
    "业委会 owners' committee": ("业委会", "owners' committee"),
    # Errands (board/errands/demo.py)
    "降压药 Blood pressure tablets, 2 boxes": ("降压药两盒", "Blood pressure tablets, 2 boxes"),
    "Amlodipine 5 mg, the box she showed the doctor. She has the prescription at the door.": (
        "氨氯地平 5 毫克，就是她给医生看过的那种。处方她放在门口。",
        "Amlodipine 5 mg, the box she showed the doctor. She has the prescription at the door."),
    "老百姓大药房 Laobaixing pharmacy, Jinting Road": ("锦庭路老百姓大药房", "Laobaixing pharmacy, Jinting Road"),
    "鸡蛋和挂面 Eggs and noodles": ("鸡蛋和挂面", "Eggs and noodles"),
    "A dozen eggs and two packs of noodles; they pay by WeChat.": (
        "一打鸡蛋、两包挂面，微信付款。", "A dozen eggs and two packs of noodles; they pay by WeChat."),
    "小区门口的超市 The supermarket at the gate": ("小区门口的超市", "The supermarket at the gate"),
}
