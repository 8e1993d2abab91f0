"""Known text for the layout evaluation set: public-domain prose, titles, CJK classics.

Real sentences rather than Lorem ipsum, so that a CER measures what a reader would
lose: the English passages are from works in the public domain (Thoreau, Darwin,
Austen, Dickens, Melville, Lincoln, the Declaration of Independence, Franklin,
Twain, Shelley); the Chinese ones from the Analects, the Tao Te Ching, the
Thousand Character Classic and Tang poems. Pages take passages in turn
(``Prose.take``), so neighbouring columns never repeat a sentence and a line
matched by its text alone is rarely ambiguous.
"""

from __future__ import annotations

PASSAGES: tuple[str, ...] = (
    "I went to the woods because I wished to live deliberately, to front only the essential "
    "facts of life, and see if I could not learn what it had to teach, and not, when I came "
    "to die, discover that I had not lived. I did not wish to live what was not life, living "
    "is so dear; nor did I wish to practise resignation, unless it was quite necessary.",
    "It is interesting to contemplate an entangled bank, clothed with many plants of many "
    "kinds, with birds singing on the bushes, with various insects flitting about, and with "
    "worms crawling through the damp earth, and to reflect that these elaborately constructed "
    "forms, so different from each other, have all been produced by laws acting around us.",
    "It is a truth universally acknowledged, that a single man in possession of a good "
    "fortune, must be in want of a wife. However little known the feelings or views of such "
    "a man may be on his first entering a neighbourhood, this truth is so well fixed in the "
    "minds of the surrounding families, that he is considered the rightful property of some "
    "one or other of their daughters.",
    "It was the best of times, it was the worst of times, it was the age of wisdom, it was "
    "the age of foolishness, it was the epoch of belief, it was the epoch of incredulity, it "
    "was the season of Light, it was the season of Darkness, it was the spring of hope, it "
    "was the winter of despair.",
    "Call me Ishmael. Some years ago, never mind how long precisely, having little or no "
    "money in my purse, and nothing particular to interest me on shore, I thought I would "
    "sail about a little and see the watery part of the world. It is a way I have of driving "
    "off the spleen and regulating the circulation.",
    "Four score and seven years ago our fathers brought forth on this continent a new "
    "nation, conceived in liberty, and dedicated to the proposition that all men are created "
    "equal. Now we are engaged in a great civil war, testing whether that nation, or any "
    "nation so conceived and so dedicated, can long endure.",
    "When in the course of human events it becomes necessary for one people to dissolve the "
    "political bands which have connected them with another, and to assume among the powers "
    "of the earth the separate and equal station to which the laws of nature entitle them, a "
    "decent respect to the opinions of mankind requires that they should declare the causes.",
    "I had been religiously educated as a Presbyterian; and though some of the dogmas of "
    "that persuasion appeared to me unintelligible, I early absented myself from the public "
    "assemblies of the sect, Sunday being my studying day. I never was without some "
    "religious principles, and I never doubted the existence of the Deity.",
    "The Mississippi is well worth reading about. It is not a commonplace river, but on the "
    "contrary is in all ways remarkable. Considering the Missouri its main branch, it is the "
    "longest river in the world, four thousand three hundred miles. It seems safe to say "
    "that it is also the crookedest river in the world.",
    "You will rejoice to hear that no disaster has accompanied the commencement of an "
    "enterprise which you have regarded with such evil forebodings. I arrived here "
    "yesterday, and my first task is to assure my dear sister of my welfare and increasing "
    "confidence in the success of my undertaking.",
    "Most men lead lives of quiet desperation. What is called resignation is confirmed "
    "desperation. From the desperate city you go into the desperate country, and have to "
    "console yourself with the bravery of minks and muskrats. A stereotyped but unconscious "
    "despair is concealed even under what are called the games and amusements of mankind.",
    "As buds give rise by growth to fresh buds, and these, if vigorous, branch out and "
    "overtop on all sides many a feebler branch, so by generation I believe it has been with "
    "the great Tree of Life, which fills with its dead and broken branches the crust of the "
    "earth, and covers the surface with its ever branching and beautiful ramifications.",
    "There were a king with a large jaw and a queen with a plain face, on the throne of "
    "England; there were a king with a large jaw and a queen with a fair face, on the throne "
    "of France. In both countries it was clearer than crystal to the lords of the State "
    "preserves of loaves and fishes, that things in general were settled for ever.",
    "Whenever I find myself growing grim about the mouth; whenever it is a damp, drizzly "
    "November in my soul; whenever I find myself involuntarily pausing before coffin "
    "warehouses, and bringing up the rear of every funeral I meet, then I account it high "
    "time to get to sea as soon as I can.",
)

TITLES: tuple[str, ...] = (
    "Notes from a Cabin by the Pond",
    "On the Variation of Species",
    "Letters from the Frozen North",
    "A River Worth Reading About",
    "The Season of Light",
    "Voyages and Other Remedies",
)

PULL_QUOTES: tuple[str, ...] = (
    "Most men lead lives of quiet desperation.",
    "It is not a commonplace river.",
    "The spring of hope, the winter of despair.",
)

CAPTIONS: tuple[str, ...] = (
    "Figure 1. The pond at Walden in early spring, seen from the northern shore.",
    "Figure 2. An entangled bank, drawn from a specimen near Down House.",
    "Plate 3. A steamboat passing the bluffs below Saint Louis.",
)

CJK_PASSAGES: tuple[str, ...] = (
    "学而时习之，不亦说乎？有朋自远方来，不亦乐乎？人不知而不愠，不亦君子乎？",
    "道可道，非常道。名可名，非常名。无名天地之始，有名万物之母。",
    "天地玄黄，宇宙洪荒。日月盈昃，辰宿列张。寒来暑往，秋收冬藏。",
    "温故而知新，可以为师矣。学而不思则罔，思而不学则殆。",
    "春眠不觉晓，处处闻啼鸟。夜来风雨声，花落知多少。",
    "床前明月光，疑是地上霜。举头望明月，低头思故乡。",
    "上善若水。水善利万物而不争，处众人之所恶，故几于道。",
    "知之为知之，不知为不知，是知也。三人行，必有我师焉。",
)


class Prose:
    """Passages handed out in turn, starting at a page's own offset."""

    def __init__(self, start: int, pool: tuple[str, ...] = PASSAGES) -> None:
        self._pool = pool
        self._next = start

    def take(self) -> str:
        """The next passage (the pool wraps around)."""
        text = self._pool[self._next % len(self._pool)]
        self._next += 1
        return text
