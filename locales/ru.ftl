start =
    👋 Привет! Я Astrolus. Превращаю фото товара в короткое видео с помощью MiniMax Hailuo.

    Как это работает:
    1. Пришлите фото товара (или изображение файлом: JPEG, PNG или WebP).
    2. В подписи опишите, что и как должно двигаться.
    3. Через несколько минут видео придёт сюда.

    Пример подписи: <i>кроссовок медленно вращается на белом подиуме, мягкий студийный свет</i>

    /status — ваши задачи, /settings — длительность, качество и движения камеры, /help — правила.
help =
    📸 Пришлите одно фото товара с подписью: что и как должно двигаться.

    Что подходит:
    • JPEG, PNG или WebP до 20 МБ
    • короткая сторона больше 300 px
    • соотношение сторон от 2:5 до 5:2
    • описание до 2000 символов

    Нет подписи? Я попрошу описание отдельным сообщением. Видео: {$model}, {$duration} с, {$resolution}; обычно готово за 1–5 минут.
    Одновременно в работе может быть до { $maxActive ->
        [one] {$maxActive} задачи
       *[other] {$maxActive} задач
    }.

    /status — ваши последние задачи
    /status &lt;id&gt; — одна задача
    /history — готовые видео, чтобы получить любое ещё раз
    /settings — длительность, качество, движения камеры
    /language — русский или английский
accepted =
    ✅ Принято! Задача <code>{$id}</code> отправляется в MiniMax.
    Обычно видео готово за 1–5 минут; я пришлю его сюда ответом на ваше фото.
accepted-queued =
    ✅ Принято! Задача <code>{$id}</code>: ваше место в очереди — {$position}, до старта около {$minutes ->
        [one] {$minutes} минуты
        [few] {$minutes} минут
       *[other] {$minutes} минут
    }. Само видео потом обычно готово за 1–5 минут.
    Я пришлю его сюда ответом на ваше фото.
ask-prompt =
    📝 Отличное фото! Что должно двигаться? Ответьте коротким описанием, например:
    <i>бутылка медленно вращается, блик скользит по стеклу</i>
    Я подожду описание {$minutes ->
        [one] {$minutes} минуту
        [few] {$minutes} минуты
       *[other] {$minutes} минут
    }, потом фото придётся прислать заново.
photo-expired = ⌛ Фото, которое вы прислали раньше, ждало описания дольше { $minutes ->
        [one] {$minutes} минуты
        [few] {$minutes} минут
       *[other] {$minutes} минут
    }, и я его больше не храню. Кредиты не списывались. Пришлите фото ещё раз, а это описание — в подписи к нему.
prompt-too-long = ✂️ В описании {$length} {$length ->
        [one] символ
        [few] символа
       *[other] символов
    }, а MiniMax принимает не больше {$max}. Сократите его и пришлите снова.
prompt-empty = 📝 Описание пустое. Напишите словами, что должно двигаться.
image-type = 🖼 Я оживляю изображения JPEG, PNG и WebP. Пришлите фото или файл в одном из этих форматов.
image-unreadable = 🖼 Не получилось прочитать файл как изображение. Пришлите его как фото или как файл JPEG, PNG или WebP.
image-too-large = 🖼 Изображение весит {NUMBER($mb, maximumFractionDigits: 1)} МБ, а предел — 20 МБ. Пришлите его как фото (Telegram сожмёт) или сохраните файл поменьше.
image-too-small = 🔍 Изображение {NUMBER($width, useGrouping: 0)}×{NUMBER($height, useGrouping: 0)} px, а короткая сторона должна быть больше 300 px. Пришлите фото покрупнее.
image-aspect = 📐 Изображение {NUMBER($width, useGrouping: 0)}×{NUMBER($height, useGrouping: 0)} px слишком вытянуто: одна сторона может превышать другую не больше чем в 2,5 раза (5:2). Обрежьте его и пришлите снова.
unsupported = 🤖 Я делаю видео из фото товаров. Пришлите фото товара и опишите в подписи, что и как должно двигаться, например: <i>кроссовок медленно вращается на белом подиуме</i>.
limit-reached = ⏳ У вас уже { $max ->
        [one] {$max} задача
        [few] {$max} задачи
       *[other] {$max} задач
    } в работе — это предел. { $source ->
        [button] Новую задачу я не запустил, кредиты не списаны: нажмите кнопку ещё раз, когда одно из видео будет готово.
       *[photo] Это фото я не принял, кредиты не списаны: пришлите его ещё раз, когда одно из видео будет готово.
    }
private = 🔒 Это закрытый бот.
busy-retry = 😔 { $source ->
        [button] Из-за сбоя нажатие не сработало, кредиты не списаны. Нажмите кнопку ещё раз через минуту.
        [photo] Из-за сбоя я не принял это фото, кредиты не списаны. Пришлите его ещё раз через минуту.
       *[message] Из-за сбоя я не смог ответить, кредиты не списаны. Отправьте сообщение ещё раз через минуту.
    }
busy-admitted = ⏳ Только что у меня был сбой, но задачу <code>{$id}</code> я успел принять: она в очереди, кредиты за неё зарезервированы. Не присылайте фото повторно — следить за задачей можно в /status.

failed-sensitive_input = ❌ Задача <code>{$id}</code>: MiniMax не пропустил фото или описание — модерация сочла их недопустимыми. Кредиты вернулись на баланс. Попробуйте другое фото или измените описание.
failed-sensitive_output = ❌ Задача <code>{$id}</code>: MiniMax не пропустил готовое видео — модерация сочла его недопустимым. Кредиты вернулись на баланс. Попробуйте другое описание.
failed-unavailable = ❌ Задача <code>{$id}</code>: MiniMax временно недоступен. Кредиты вернулись на баланс. Попробуйте чуть позже.
failed-usage_limit = ❌ Задача <code>{$id}</code>: MiniMax временно ограничил число новых видео. Кредиты вернулись на баланс. Попробуйте через несколько часов.
failed-invalid = ❌ Задача <code>{$id}</code>: MiniMax не смог принять это фото с таким описанием. Кредиты вернулись на баланс. Попробуйте другое фото или описание попроще.
failed-timeout = ❌ Задача <code>{$id}</code> выполнялась слишком долго, и я её остановил. Кредиты вернулись на баланс. Пришлите фото ещё раз.
failed-unknown_outcome = ❌ Задача <code>{$id}</code>: MiniMax не подтвердил, что получил её. Повторно я её не отправляю, чтобы вы не заплатили дважды за одно видео. Кредиты вернулись на баланс — пришлите фото ещё раз.
failed-error = ❌ Задача <code>{$id}</code> не удалась. Кредиты вернулись на баланс. Пришлите фото ещё раз.
failed-undelivered = ❌ Задача <code>{$id}</code>: MiniMax сделал видео, но отправить его вам не получилось. Кредиты за него списаны, потому что видео создано. Напишите в /paysupport и укажите номер задачи — оператор разберётся.

video-caption = 🎬 Ваше видео готово (задача <code>{$id}</code>).
video-as-link =
    🎬 Ваше видео (задача <code>{$id}</code>) весит {NUMBER($mb, maximumFractionDigits: 1)} МБ — больше, чем бот может загрузить в Telegram.
    Скачайте его по ссылке, она действует несколько часов:
    {$url}

status-empty = У вас пока нет задач. Пришлите фото товара с подписью, чтобы сделать первое видео.
status-header = 🗂 Ваши последние задачи:
status-line = <code>{$id}</code> · {$state} · {$age} · {$prompt}
status-private-only = 🔒 /status показывает ваши описания, поэтому отвечаю на него только в личном чате. Напишите мне туда.
history-private-only = 🔒 /history показывает ваши видео и описания, поэтому отвечаю на него только в личном чате. Напишите мне туда.
balance-private-only = 🔒 /balance показывает ваши кредиты и платежи, поэтому отвечаю на него только в личном чате. Напишите мне туда.
new-prompt-private-only = 🔒 Новое описание принимаю только в личном чате. Откройте его и нажмите кнопку под видео там.
status-not-found = Среди ваших задач нет <code>{$id}</code>.
status-detail =
    Задача <code>{$id}</code>: {$state}
    Создана {$ago}. Описание: {$prompt}
state-queued = 🕒 в очереди
state-submitted = ⚙️ в работе
state-delivering = 📤 отправка
state-delivered = ✅ готово
state-failed = ❌ ошибка
state-cancelled = 🚫 отмена
age =
    { $minutes ->
        [0] меньше минуты
        [one] {$minutes} минута
        [few] {$minutes} минуты
       *[other] {$minutes} минут
    }
age-hours =
    { $hours ->
        [one] {$hours} час
        [few] {$hours} часа
       *[other] {$hours} часов
    }
age-days =
    { $days ->
        [one] {$days} день
        [few] {$days} дня
       *[other] {$days} дней
    }
ago =
    { $minutes ->
        [0] меньше минуты назад
        [one] {$minutes} минуту назад
        [few] {$minutes} минуты назад
       *[other] {$minutes} минут назад
    }
ago-hours =
    { $hours ->
        [one] {$hours} час назад
        [few] {$hours} часа назад
       *[other] {$hours} часов назад
    }
ago-days =
    { $days ->
        [one] {$days} день назад
        [few] {$days} дня назад
       *[other] {$days} дней назад
    }

command-start = Старт: что умеет бот
command-help = Как пользоваться
command-status = Статус задач

accepted-price = 💳 Цена: { $price ->
        [one] {$price} кредит
        [few] {$price} кредита
       *[other] {$price} кредитов
    }. Я зарезервировал эту сумму и спишу её, только если MiniMax сделает видео. На балансе осталось: { $balance ->
        [one] {$balance} кредит
        [few] {$balance} кредита
       *[other] {$balance} кредитов
    }.
credits-short =
    💳 Это видео стоит { $price ->
        [one] {$price} кредит
        [few] {$price} кредита
       *[other] {$price} кредитов
    }, а на вашем балансе { $balance ->
        [one] {$balance} кредит
        [few] {$balance} кредита
       *[other] {$balance} кредитов
    }. В MiniMax ничего не отправлено, кредиты не списаны.
    Купите кредиты за звёзды Telegram командой /buy и { $source ->
        [button] нажмите кнопку ещё раз.
       *[photo] пришлите фото ещё раз.
    }
help-credits = 💳 Видео с вашими настройками стоит { $price ->
        [one] {$price} кредит
        [few] {$price} кредита
       *[other] {$price} кредитов
    }. Если видео не получится, кредиты вернутся на баланс. /balance — баланс и операции, /buy — купить кредиты за звёзды Telegram.

balance =
    💳 Ваш баланс: { $balance ->
        [one] {$balance} кредит
        [few] {$balance} кредита
       *[other] {$balance} кредитов
    }.{ $inFlight ->
        [0] {""}
       *[other] {" "}Задач в работе: {$inFlight}.
    }
balance-history = Последние операции:
balance-line = {$date} · <b>{$change}</b> · {$what}
ledger-welcome = приветственный подарок
ledger-reserve = резерв на задачу <code>{$id}</code>
ledger-capture = задача <code>{$id}</code> выполнена: резерв списан
ledger-release = задача <code>{$id}</code> не выполнена: кредиты вернулись
ledger-purchase = покупка за {$stars} ⭐
ledger-refund = возврат платежа: кредиты списаны
ledger-grant = корректировка поддержкой
ledger-void = задача <code>{$id}</code> не запущена: кредиты не списывались
balance-buy = Купить ещё: /buy.

buy-intro = ⭐ Кредиты покупаются за звёзды Telegram. Выберите пакет ниже — кредиты придут сразу после оплаты.
invoice-title = { $credits ->
        [one] {$credits} кредит
        [few] {$credits} кредита
       *[other] {$credits} кредитов
    }
invoice-description = { $credits ->
        [one] {$credits} кредит
        [few] {$credits} кредита
       *[other] {$credits} кредитов
    } на видео в Astrolus. { NUMBER($seconds) }-секундное видео стоит { $price ->
        [one] {$price} кредит
        [few] {$price} кредита
       *[other] {$price} кредитов
    }. Если MiniMax его не сделает, кредиты вернутся на баланс.
invoice-label = { $credits ->
        [one] {$credits} кредит
        [few] {$credits} кредита
       *[other] {$credits} кредитов
    }
precheckout-invalid = Звёзды Telegram не списаны: этот пакет больше не продаётся. Отправьте /buy, чтобы увидеть текущие пакеты.
payment-received = ✅ Спасибо! Начислено: { $credits ->
        [one] {$credits} кредит
        [few] {$credits} кредита
       *[other] {$credits} кредитов
    }. Ваш баланс: { $balance ->
        [one] {$balance} кредит
        [few] {$balance} кредита
       *[other] {$balance} кредитов
    }.
payment-reconciled = ✅ Платёж на {$stars} ⭐ прошёл, зачислено: { $credits ->
        [one] {$credits} кредит
        [few] {$credits} кредита
       *[other] {$credits} кредитов
    }. Теперь на балансе { $balance ->
        [one] {$balance} кредит
        [few] {$balance} кредита
       *[other] {$balance} кредитов
    }. Извините за задержку.
payment-refunded = ↩️ Ваш платёж на {$stars} ⭐ возвращён, списано: { $credits ->
        [one] {$credits} кредит
        [few] {$credits} кредита
       *[other] {$credits} кредитов
    }. Ваш баланс: { $balance ->
        [one] {$balance} кредит
        [few] {$balance} кредита
       *[other] {$balance} кредитов
    }.
paysupport =
    🛟 Поддержка по оплате: если кредиты за покупку не пришли или вы хотите вернуть звёзды Telegram, напишите {$contact} и укажите дату платежа.
    Кредиты за неудавшееся видео возвращаются на баланс сами; все операции — в /balance.
paysupport-here =
    🛟 Поддержка по оплате: если кредиты за покупку не пришли или вы хотите вернуть звёзды Telegram, ответьте на это сообщение и опишите, что случилось и когда. Оператор прочитает и ответит здесь же.
    Кредиты за неудавшееся видео возвращаются на баланс сами; все операции — в /balance.
terms =
    📄 Условия продажи
    • Кредиты покупаются за звёзды Telegram командой /buy и оплачивают видео, созданные в этом боте.
    • Цена видео видна до его запуска. Кредиты резервируются, когда вы присылаете фото, и списываются, только если MiniMax сделает видео; иначе они возвращаются на баланс.
    • Кредиты не сгорают. Звёзды за покупку можно вернуть через /paysupport, если её кредиты ещё не потрачены. При возврате эти кредиты спишутся с баланса. Потраченные на видео кредиты не возвращаются.
    • Видео создаёт нейросеть MiniMax, поэтому результат может не совпасть с ожиданиями. Если MiniMax отклонит фото или описание, кредиты вернутся на баланс.

grant-usage = Формат: <code>/grant &lt;id пользователя&gt; &lt;кредиты&gt;</code>, например <code>/grant 123456789 5</code> или <code>/grant 123456789 -2</code>.
grant-done = ✅ Пользователь <code>{$user}</code>: {$change}; теперь на балансе { $balance ->
        [one] {$balance} кредит
        [few] {$balance} кредита
       *[other] {$balance} кредитов
    }.
grant-repeated = Эта команда /grant уже выполнена.
refund-usage = Формат: <code>/refund &lt;telegram_payment_charge_id&gt;</code>
refund-unknown = Платёж с id <code>{$id}</code> не найден.
refund-failed = Telegram отказал в возврате: {$reason}
refund-done = ↩️ Пользователю <code>{$user}</code> возвращено {$stars} ⭐; списано { $credits ->
        [one] {$credits} кредит
        [few] {$credits} кредита
       *[other] {$credits} кредитов
    }, теперь на балансе { $balance ->
        [one] {$balance} кредит
        [few] {$balance} кредита
       *[other] {$balance} кредитов
    }.
stats =
    📊 Пользователей: {$users}
    Задачи сегодня (UTC): {$phases}
    Ошибки сегодня по кодам: {$failures}
    Потрачено кредитов: {$spent}; продано: {$sold} за {$stars} ⭐
    Звёзды по данным Telegram (на {$at}): получено {$tgIn} ⭐, возвращено {$tgRefunded} ⭐; по журналу: получено {$ledgerIn} ⭐, возвращено {$ledgerRefunded} ⭐; расхождение: {$diffIn} ⭐ / {$diffRefunded} ⭐
stats-none = нет

command-balance = Баланс и операции
command-buy = Купить кредиты за звёзды
command-paysupport = Помощь с оплатой
command-terms = Условия продажи

command-settings = Настройки видео
command-language = Язык: русский или английский

settings-title =
    ⚙️ <b>Настройки</b> следующих видео: модель, длительность, качество, формат, автоулучшение описания и движения камеры.
    Нажмите, чтобы изменить; я запомню ваш выбор.
    💳 Видео с такими настройками стоит { $price ->
        [one] {$price} кредит
        [few] {$price} кредита
       *[other] {$price} кредитов
    }.
settings-duration = ⏱ {$seconds} с
settings-optimizer-on = ✨ Автоулучшение: вкл.
settings-optimizer-off = ✨ Автоулучшение: выкл.
settings-camera = 🎥 Камера: {$moves}
settings-camera-count = 🎥 Камера: { $count ->
        [one] {$count} движение
        [few] {$count} движения
       *[other] {$count} движений
    }
settings-back = ⬅️ Назад
menu-outdated = Меню устарело, вот актуальное.
camera-max = Можно совместить не больше трёх движений камеры.
camera-none = Без движения
camera-push-in = Наезд
camera-pull-out = Отъезд
camera-zoom-in = Зум +
camera-zoom-out = Зум −
camera-pan-left = Поворот ←
camera-pan-right = Поворот →
camera-tilt-up = Наклон ↑
camera-tilt-down = Наклон ↓
camera-truck-left = Сдвиг ←
camera-truck-right = Сдвиг →
camera-pedestal-up = Подъём
camera-pedestal-down = Спуск
camera-tracking-shot = Слежение
camera-static-shot = Статика
camera-shake = Тряска
language-choose = 🌐 Выберите язык: / Choose the language:
language-set = 🇷🇺 Готово: буду говорить с вами по-русски.
command-history = Готовые видео

button-again = 🔁 Ещё раз
button-another-move = 🎥 Другое движение камеры
button-new-prompt = ✍️ Новое описание
button-cancel = ✖️ Отменить
button-make-video = 🎬 Сделать видео
variation-gone = Не могу найти это видео среди ваших.
variation-started = 🎬 Новое видео уже в работе.
variation-duplicate = Видео по этой кнопке уже запущено.
variation-refused = Новое видео не запущено, кредиты не списаны. Причина — в сообщении ниже.
moves-pick =
    🎥 <i>{$prompt}</i>
    Выберите до трёх движений камеры и нажмите «🎬 Сделать видео».
    Выбрано: { $count ->
        [0] пока ничего
       *[other] {$moves}
    }
moves-picker-open = Выбор движений камеры уже открыт — он под этим видео.
moves-chosen = 🎥 Камера: {$moves}. Новое видео уже в работе.
new-prompt-ask =
    ✍️ Напишите в следующем сообщении новое описание для этого фото, например:
    <i>бутылка медленно вращается, блик скользит по стеклу</i>
history-title = 🎞 Ваши видео, сначала новые (страница {$page}). Нажмите, чтобы получить видео ещё раз.
history-item = 🎬 {$date} · {$prompt}
history-item-link = 🔗 {$date} · {$prompt}
history-newer = ◀️ Новые
history-older = Старые ▶️
history-empty = Готовых видео пока нет. Пришлите фото товара с подписью, чтобы сделать первое.
history-link =
    🔗 Видео задачи <code>{$id}</code> было слишком большим для загрузки, поэтому пришло ссылкой.
    Вот она ещё раз; ссылки MiniMax перестают работать через несколько часов:
    {$url}

progress-submitted = ⚙️ Задача <code>{$id}</code> уже у MiniMax и вот-вот начнётся. Я пришлю видео сюда ответом на ваше фото.
progress-processing =
    ⚙️ Задача <code>{$id}</code>: MiniMax делает ваше видео уже { $minutes ->
        [0] меньше минуты
        [one] {$minutes} минуту
        [few] {$minutes} минуты
       *[other] {$minutes} минут
    }. Обычно это занимает 1–5 минут.
progress-sending = 📤 Задача <code>{$id}</code>: видео готово, отправляю его вам…
progress-done = ✅ Задача <code>{$id}</code> выполнена: видео прямо под этим сообщением.
progress-done-link = ✅ Задача <code>{$id}</code> выполнена: видео слишком большое для загрузки, ссылка для скачивания — ниже.
progress-cancelled = 🚫 Задача <code>{$id}</code> отменена. В MiniMax она не отправлялась, кредиты вернулись на баланс.
failed-cancelled = 🚫 Задача <code>{$id}</code> отменена, как вы просили; в MiniMax она не отправлялась. Кредиты вернулись на баланс.
cancel-cancelled = Отменено: задача не будет выполнена, кредиты вернутся на баланс.
cancel-already = Эта задача уже отменена.
cancel-too-late = Отменить уже нельзя: задача у MiniMax. Кредиты спишутся, только если видео получится.
cancel-not-found = Среди ваших задач такой нет.

# Counted photos, for the album texts to come: { photo-count } with $count gives «1 фотография», «2 фотографии», «5 фотографий».
photo-count = { $count ->
        [one] {$count} фотография
        [few] {$count} фотографии
       *[other] {$count} фотографий
    }

button-format = 📐 Формат
format-original = Как на фото
format-3x4 = 3:4 · Wildberries/Ozon
format-9x16 = 9:16 · Reels/TikTok/Shorts
format-1x1 = 1:1 · посты в соцсетях
format-16x9 = 16:9 · Amazon/YouTube
settings-format = 📐 {$format}
settings-format-title =
    📐 <b>Формат</b> следующих видео — под площадку, где вы их разместите.
    Фото целиком остаётся в кадре, а место вокруг заполняет его размытая копия.
    «Как на фото» сохраняет пропорции снимка.
settings-long-hint = ⏱ { NUMBER($seconds) } с: Ozon просит видео от 8 секунд.
settings-price-length = ⏱ { NUMBER($seconds) } с: {$choices}
settings-price-choice = {$resolution} { NUMBER($price) } { $price ->
        [one] кредит
        [few] кредита
       *[other] кредитов
    }
settings-model = 🤖 Модель: {$model}
settings-model-title = 🤖 <b>Модель</b> следующих видео и цена с каждой из них:
settings-model-line = { $chosen ->
        [yes] ✅
       *[no] •
    } <b>{$name}</b>: {$description}. { NUMBER($seconds) } с, {$resolution}: { NUMBER($price) } { $price ->
        [one] кредит
        [few] кредита
       *[other] кредитов
    }.
model-hailuo-02 = реалистичные движения и физика, до 1080P
model-hailuo-23 = живее люди и движения, до 1080P
model-hailuo-23-fast = та же Hailuo 2.3, но быстрее, до 1080P
model-i2v-01 = первая модель MiniMax, только 720P
model-i2v-01-live = для рисунков и иллюстраций, только 720P
model-i2v-01-director = точно следует движениям камеры, только 720P
format-pick =
    📐 В каком формате сделать это видео ещё раз?
    Фото, описание и настройки — те же, цена — обычная.
format-picker-open = Выбор формата уже открыт — он под этим видео.
format-chosen = 📐 {$format}: новое видео уже в работе.
video-caption-details = 📐 {$format} · 🤖 {$model}
model-h3 = от 5 до 15 с со звуком, 768P или 2K
model-h3-max = от 5 до 15 с со звуком, 480P или 768P
video-caption-sound = 🔊 со звуком
progress-cancelled-at-minimax = 🚫 Задача <code>{$id}</code> отменена до того, как MiniMax начал её делать. Кредиты вернулись на баланс.
failed-cancelled-at-minimax = 🚫 Задача <code>{$id}</code> отменена, как вы просили: MiniMax ещё не начал её делать. Кредиты вернулись на баланс.
cancel-retry = Прямо сейчас отменить не получилось. Нажмите «✖️ Отменить» ещё раз через несколько секунд.


button-studio = 🖼 Студия
studio-menu-button = 🖼 Студия
studio-tab-gallery = 🎞 Видео
studio-tab-jobs = ⚙️ В работе
studio-tab-balance = 💳 Баланс
studio-tab-settings = 🛠 Настройки
studio-filter-formats = Все форматы
studio-filter-models = Все модели
studio-variants = Варианты по этому фото
studio-download = ⬇️ Скачать
studio-download-started = ⬇️ Telegram сохраняет видео на ваше устройство.
studio-loading = Загружаю…
studio-failed = Что-то пошло не так. Попробуйте ещё раз.
studio-retry = 🔄 Ещё раз
studio-video-in-chat = Здесь это видео уже не открыть — оно сохранено в чате с ботом.
studio-jobs-empty = Задач в работе нет. Пришлите боту фото товара, чтобы сделать видео.
studio-job-position = № { NUMBER($position) }
studio-open-in-telegram = Откройте студию кнопкой меню бота в Telegram.
studio-expired = Студия открыта слишком давно. Закройте её и откройте снова из чата с ботом.
studio-packs = ⭐ Купить кредиты за звёзды
studio-pack = { $credits ->
        [one] { NUMBER($credits) } кредит
        [few] { NUMBER($credits) } кредита
       *[other] { NUMBER($credits) } кредитов
    } · { NUMBER($stars) } ⭐
studio-paid = ✅ Оплата получена, баланс обновлён.
studio-saved = ✅ Сохранено
studio-duration = ⏱ Длительность
studio-resolution = 🎞 Качество
studio-camera = 🎥 Движения камеры
studio-model = 🤖 Модель
studio-format = 📐 Формат
studio-settings-price = 💳 Видео с этими настройками стоит { NUMBER($price) } { $price ->
        [one] кредит
        [few] кредита
       *[other] кредитов
    }.
studio-again-started = 🎬 Новое видео уже в работе, следите за ним в чате.
studio-again-credits = 💳 Это видео стоит { $price ->
        [one] { NUMBER($price) } кредит
        [few] { NUMBER($price) } кредита
       *[other] { NUMBER($price) } кредитов
    }, а на вашем балансе { $balance ->
        [one] { NUMBER($balance) } кредит
        [few] { NUMBER($balance) } кредита
       *[other] { NUMBER($balance) } кредитов
    }. Кредиты не списаны. Купить кредиты можно на вкладке «Баланс».
studio-in-chat = Это видео сделано до появления студии: нажмите «{$button}» под ним в чате.
studio-format-started = 📐 {$format}: новое видео уже в работе, следите за ним в чате.
studio-pack-started = 🎲 Три варианта уже в работе, следите за ними в чате.
studio-pack-refused = 🎲 Варианты не запущены, причина — в чате. Кредиты не списаны.
studio-pack-no-camera = 🎲 Варианты различаются движением камеры, а {$model} его не поддерживает. Кредиты не списаны.

# Альбомы, переходы и наборы вариантов (задача 18)
album-ask-prompt =
    📝 Альбом из { NUMBER($count) } { $count ->
        [one] фотографии
       *[other] фотографий
    } получен. Что должно двигаться? Ответьте одним описанием для всех — я сделаю видео из каждого фото.
    Я подожду описание { NUMBER($minutes) } { $minutes ->
        [one] минуту
        [few] минуты
       *[other] минут
    }, потом альбом придётся прислать заново.
transition-ask-prompt =
    📝 Два фото: я сделаю одно видео, которое начнётся с первого и закончится вторым. Что должно происходить между ними? Ответьте описанием, например:
    <i>коробка открывается, и из неё поднимается кроссовок</i>
    Я подожду описание { NUMBER($minutes) } { $minutes ->
        [one] минуту
        [few] минуты
       *[other] минут
    }, потом фото придётся прислать заново.
album-expired = ⌛ Альбом, который вы прислали раньше, ждал описания дольше { NUMBER($minutes) } { $minutes ->
        [one] минуты
       *[other] минут
    }, и я его больше не храню. Кредиты не списывались. Пришлите альбом ещё раз, с этим описанием в подписи к одному из фото.
album-part-late = 📚 Это фото пришло позже остальных, и альбом ушёл в работу без него. Кредиты за него не списывались. Пришлите его отдельно — я сделаю из него видео.
transition-off = 🔀 Из двух фото получается видео-переход, но в этом боте переходы выключены. Кредиты не списывались. Пришлите фото по одному — я сделаю видео из каждого.
transition-photo-refused = 🔀 Для перехода нужны оба фото, а одно из них не подошло (я ответил на него). Кредиты не списывались. Пришлите оба фото ещё раз.
progress-transition = 🔀 Переход: видео начнётся с первого фото и закончится вторым.
video-caption-transition = 🎬 Видео-переход готово (задача <code>{$id}</code>).
album-not-started = ⏸ { $count ->
        [1] Фото № { NUMBER($first) }: видео не запущено.
       *[other] Фото № { NUMBER($first) }–{ NUMBER($last) }: видео не запущены.
    } { $reason ->
        [credits] Видео стоит { NUMBER($price) } { $price ->
            [one] кредит
            [few] кредита
           *[other] кредитов
        }, а на балансе { NUMBER($balance) } { $balance ->
            [one] кредит
            [few] кредита
           *[other] кредитов
        }.
       *[limit] У вас уже { NUMBER($max) } { $max ->
            [one] задача
            [few] задачи
           *[other] задач
        } в работе, больше нельзя.
    } Кредиты за { $count ->
        [1] это фото
       *[other] эти фото
    } не списывались. { $reason ->
        [credits] Купите кредиты за звёзды Telegram через /buy и пришлите { $count ->
            [1] его
           *[other] их
        } ещё раз.
       *[limit] Пришлите { $count ->
            [1] его
           *[other] их
        } ещё раз, когда одна из задач будет готова.
    }
album-none-started = 📚 Из альбома ({ NUMBER($total) } { $total ->
        [one] фотография
        [few] фотографии
       *[other] фотографий
    }) я не начал ни одного видео: { $reason ->
        [credits] каждое стоит { NUMBER($price) } { $price ->
            [one] кредит
            [few] кредита
           *[other] кредитов
        }, а на балансе { NUMBER($balance) } { $balance ->
            [one] кредит
            [few] кредита
           *[other] кредитов
        }
       *[limit] у вас уже { NUMBER($max) } { $max ->
            [one] задача
            [few] задачи
           *[other] задач
        } в работе, больше нельзя
    }. Кредиты не списывались. { $reason ->
        [credits] Купите кредиты за звёзды Telegram через /buy и пришлите альбом ещё раз.
       *[limit] Пришлите альбом ещё раз, когда одна из задач будет готова.
    }
group-album-title = 📚 Ваш альбом: готово { NUMBER($done) } из { NUMBER($total) } видео.
group-pack-title = 🎲 Три варианта: готово { NUMBER($done) } из { NUMBER($total) }. Они придут вместе, одним альбомом.
group-waiting = 🕒 В очереди: { NUMBER($count) }. { $count ->
        [1] Это видео
       *[other] Первое из этих видео
    } — № { NUMBER($position) } в общей очереди{ $minutes ->
        [0] {""}
        [one] , до старта около { NUMBER($minutes) } минуты
       *[other] , до старта около { NUMBER($minutes) } минут
    }.
group-making = ⚙️ У MiniMax: { NUMBER($count) }; обычно видео готово за 1–5 минут.
group-failed = ❌ Не получилось видео: { NUMBER($count) }. Кредиты за { $count ->
        [1] него
       *[other] них
    } вернулись на баланс.
group-cancelled = 🚫 Отменено видео до отправки в MiniMax: { NUMBER($count) }. Кредиты за { $count ->
        [1] него
       *[other] них
    } вернулись на баланс.
group-undelivered = ❌ { $count ->
        [1] Видео сделано, но не доставлено
       *[other] Видео сделаны, но не доставлены
    }: { NUMBER($count) }. Кредиты за { $count ->
        [1] это видео
       *[other] эти видео
    } списаны, потому что MiniMax { $count ->
        [1] его
       *[other] их
    } сделал. Напишите в /paysupport и укажите номера задач — оператор разберётся.
group-jobs = Задачи: {$ids}
group-album-finished = ✅ Альбом готов: сделано { NUMBER($done) } из { NUMBER($total) } видео, каждое — ответом на своё фото.
group-album-none = ❌ Ни одно видео из альбома сделать не удалось.
group-pack-ready = ✅ Готово вариантов: { NUMBER($done) } из { NUMBER($total) }. Они в альбоме ниже.
group-pack-none = ❌ Ни один вариант сделать не удалось.
group-price = 💳 { NUMBER($count) } видео, всего { NUMBER($total) } { $total ->
        [one] кредит
        [few] кредита
       *[other] кредитов
    }. Кредиты зарезервированы и спишутся только за видео, которые сделает MiniMax. Остаток на балансе: { NUMBER($balance) } { $balance ->
        [one] кредит
        [few] кредита
       *[other] кредитов
    }.
pack-not-started = ⏸ { $count ->
        [1] Вариант «{$moves}» не начат
       *[other] Варианты «{$moves}» не начаты
    }: { $reason ->
        [credits] видео стоит { NUMBER($price) } { $price ->
            [one] кредит
            [few] кредита
           *[other] кредитов
        }, а на балансе { NUMBER($balance) } { $balance ->
            [one] кредит
            [few] кредита
           *[other] кредитов
        }
       *[limit] у вас уже { NUMBER($max) } { $max ->
            [one] задача
            [few] задачи
           *[other] задач
        } в работе, больше нельзя
    }. Кредиты за { $count ->
        [1] него
       *[other] них
    } не списывались.
pack-none-started = 🎲 Я не начал ни одного варианта: { $reason ->
        [credits] видео стоит { NUMBER($price) } { $price ->
            [one] кредит
            [few] кредита
           *[other] кредитов
        }, а на балансе { NUMBER($balance) } { $balance ->
            [one] кредит
            [few] кредита
           *[other] кредитов
        }
       *[limit] у вас уже { NUMBER($max) } { $max ->
            [one] задача
            [few] задачи
           *[other] задач
        } в работе, больше нельзя
    }. Кредиты не списывались. { $reason ->
        [credits] Купите кредиты за звёзды Telegram через /buy и попробуйте ещё раз.
       *[limit] Попробуйте ещё раз, когда одна из задач будет готова.
    }
pack-video-caption = 🎲 {$move} (задача <code>{$id}</code>)
pack-variant = { NUMBER($n) } · {$move}
pack-note = 🎲 Варианты — в альбоме выше: {$list}. Кнопка 🔁 с номером повторит вариант, 📐 — сделает его в другом формате.
pack-link = 🔗 Вариант { NUMBER($n) } ({$move}) слишком большой для загрузки. Скачайте его по ссылке, она действует несколько часов: {$url}
pack-started = 🎲 Три варианта уже в работе.
pack-duplicate = Варианты по этой кнопке уже запущены.
button-pack = 🎲 3 варианта
button-pack-again = 🔁 Ещё раз · { NUMBER($n) }
button-pack-format = 📐 Формат · { NUMBER($n) }
button-cancel-waiting = ✖️ Отменить ожидающие
cancel-group-cancelled = { $count ->
        [1] Задача из очереди отменена, кредиты за неё вернутся на баланс.
       *[other] Отменено задач из очереди: { NUMBER($count) }. Кредиты за них вернутся на баланс.
    }
cancel-group-none = Ждущих задач больше нет: все они уже у MiniMax.
settings-variants-on = 🎲 3 варианта на фото: да
settings-variants-off = 🎲 3 варианта на фото: нет

# Шаблоны (issue 28)
template-or-pick = 🧩 Или выберите готовый шаблон — и я сразу начну:
button-templates-more = 🧩 Ещё шаблоны…
templates-previous = ◀️ {$category}
templates-next = {$category} ▶️
templates-page =
    🧩 Шаблоны · {$category} ({ NUMBER($page) } из { NUMBER($pages) })
    {$list}
    { $then ->
        [photo] Нажмите на шаблон, и я сделаю видео из вашего фото. Или напишите своё описание.
        [album] Нажмите на шаблон — он подойдёт для всех фото альбома. Или напишите своё описание.
        [video] Нажмите на шаблон, и я сделаю это фото заново с ним, по обычной цене.
       *[ask] Нажмите на шаблон и пришлите фото товара. Если вы присылали фото за последние 30 минут, я возьму его сразу.
    }
template-line = • <b>{$name}</b>{ $sample ->
        [yes] 🎬
       *[no] {""}
    }: {$about}
template-chosen = 🧩 Шаблон: <b>{$name}</b>
template-started = 🧩 {$name}: видео уже в работе.
template-photo-gone = Это фото уже не ждёт описания. Пришлите его ещё раз, чтобы сделать видео.
template-send-photo = 🧩 <b>{$name}</b>: {$about}
    Теперь пришлите фото товара без подписи, и я сразу сделаю видео. Я запомню этот выбор на { NUMBER($minutes) } { $minutes ->
        [one] минуту
        [few] минуты
       *[other] минут
    }.
template-pick-video = 🧩 С каким шаблоном сделать это фото? Фото и настройки — те же, цена — обычная.
button-template = 🧩 Шаблон
command-templates = Шаблоны: видео в два нажатия
stats-templates = 🧩 Популярные шаблоны за 7 дней: {$list}
studio-template = 🧩 Ещё раз с шаблоном
studio-template-started = 🧩 {$name}: новое видео уже в работе, следите за ним в чате.
template-category-any = Любой товар
template-category-electronics = Электроника
template-category-beauty = Косметика
template-category-fashion = Одежда
template-category-jewellery = Украшения
template-category-home = Дом и кухня
template-turntable = 🔄 Поворот 360°
template-turntable-about = Товар делает полный оборот на белом фоне: все стороны в одном видео.
template-light-sweep = 💡 Блик света
template-light-sweep-about = Мягкая полоса света скользит по товару и показывает его форму и фактуру.
template-push-in = 🎯 Плавный наезд
template-push-in-about = Камера медленно приближается к товару: спокойно и дорого.
template-levitation = 🪄 Левитация
template-levitation-about = Товар отрывается от поверхности и парит в воздухе, слегка поворачиваясь.
template-before-after = 🔀 До и после
template-before-after-about = Для альбома из двух фото: плавный переход от первого ко второму.
template-hand-demo = 🤲 Товар в руке
template-hand-demo-about = Рука берёт товар и поворачивает его, показывая лицевую сторону и бок.
template-unboxing = 📦 Распаковка
template-unboxing-about = Коробка открывается, и из неё поднимается товар.
template-screen-glow = 📱 Экран загорается
template-screen-glow-about = Экран загорается, и по краям устройства пробегает мягкое свечение.
template-liquid-splash = 💦 Всплеск
template-liquid-splash-about = Вокруг флакона в замедленной съёмке разлетаются брызги, а этикетка остаётся читаемой.
template-macro-glide = 🔍 Макросъёмка
template-macro-glide-about = Камера скользит вплотную вдоль товара и показывает фактуру и отделку.
template-fabric-wind = 🌬 Ткань на ветру
template-fabric-wind-about = Лёгкий ветер колышет ткань и показывает, как она струится.
template-sparkle = 💎 Блеск
template-sparkle-about = На украшении вспыхивают блики, фон — тёмный бархат.
template-lifestyle = 🏠 В интерьере
template-lifestyle-about = Товар в светлом интерьере, как в жизни.
template-steam = ♨️ Пар и тепло
template-steam-about = Над товаром поднимается лёгкий пар, будто его только что подали.

# Referral links, promo codes, the monthly plan and the dashboard (issue 29)
command-invite = Пригласить друзей и получить кредиты
command-promo = Активировать промокод
ledger-referral = бонус за приглашение
ledger-referral_back = бонус за приглашение списан (платёж возвращён)
ledger-promo = промокод {$code}
ledger-plan = подписка на месяц, {$stars} ⭐
invite =
    🎁 Ваша пригласительная ссылка:
    {$link}
    Когда кто-то откроет бота по ней и впервые купит кредиты за звёзды Telegram, вы получите { $inviter ->
        [one] {$inviter} кредит
        [few] {$inviter} кредита
       *[other] {$inviter} кредитов
    }, а он — { $invitee ->
        [one] {$invitee} кредит
        [few] {$invitee} кредита
       *[other] {$invitee} кредитов
    }.
    Приглашено: { NUMBER($invites) }; из них оплатили: { NUMBER($payers) }.
invite-private-only = 🔒 Пригласительная ссылка только ваша: отправьте /invite мне в личный чат.
referral-linked = 🎁 Вы пришли по приглашению. Первая покупка за звёзды Telegram принесёт вам ещё { $invitee ->
        [one] {$invitee} кредит
        [few] {$invitee} кредита
       *[other] {$invitee} кредитов
    }.
referral-self = Это ваша собственная пригласительная ссылка: отправьте её другим. Приглашения засчитываются только новым пользователям.
referral-existing = Эта пригласительная ссылка для новых пользователей. Вы уже пользовались ботом, поэтому она ничего не меняет.
referral-invalid = Эта пригласительная ссылка недействительна. Попросите у отправителя новую (/invite).
referral-bonus-invitee = 🎁 Бонус за приглашение: за первую покупку начислено { $credits ->
        [one] {$credits} кредит
        [few] {$credits} кредита
       *[other] {$credits} кредитов
    }. Ваш баланс: { $balance ->
        [one] {$balance} кредит
        [few] {$balance} кредита
       *[other] {$balance} кредитов
    }.
referral-bonus-inviter = 🎁 Приглашённый вами пользователь впервые сделал покупку. Начислено: { $credits ->
        [one] {$credits} кредит
        [few] {$credits} кредита
       *[other] {$credits} кредитов
    }. Ваш баланс: { $balance ->
        [one] {$balance} кредит
        [few] {$balance} кредита
       *[other] {$balance} кредитов
    }.
referral-bonus-taken = ↩️ Покупка, за которую был начислен бонус за приглашение, возвращена. Списано: { $credits ->
        [one] {$credits} кредит
        [few] {$credits} кредита
       *[other] {$credits} кредитов
    }. Ваш баланс: { $balance ->
        [one] {$balance} кредит
        [few] {$balance} кредита
       *[other] {$balance} кредитов
    }.
promo-usage = Как активировать: <code>/promo КОД</code>, например <code>/promo SPRING</code>.
promo-admin-usage =
    Команды:
    <code>/promo add КОД КРЕДИТЫ [АКТИВАЦИИ] [ДНИ]</code>, например <code>/promo add SPRING 5 100 30</code> (по умолчанию одна активация и без срока)
    <code>/promo list</code>
    <code>/promo off КОД</code>
    В коде от 3 до 32 латинских букв, цифр, _ или -.
promo-redeemed = ✅ Промокод {$code} активирован. Начислено: { $credits ->
        [one] {$credits} кредит
        [few] {$credits} кредита
       *[other] {$credits} кредитов
    }. Ваш баланс: { $balance ->
        [one] {$balance} кредит
        [few] {$balance} кредита
       *[other] {$balance} кредитов
    }.
promo-invalid = В промокоде от 3 до 32 латинских букв, цифр, _ или -, а «{$code}» не такой. Ничего не начислено.
promo-unknown = Промокода {$code} нет. Проверьте написание; ничего не начислено.
promo-expired = Срок промокода {$code} истёк. Ничего не начислено.
promo-used-up = Промокод {$code} закончился: все активации уже использованы. Ничего не начислено.
promo-already = Вы уже активировали промокод {$code}. Каждый код действует один раз на человека.
promo-throttled = Слишком много неверных кодов подряд. Попробуйте снова через { $minutes ->
        [one] {$minutes} минуту
        [few] {$minutes} минуты
       *[other] {$minutes} минут
    }.
promo-added = ✅ Промокод {$code}: { $credits ->
        [one] {$credits} кредит
        [few] {$credits} кредита
       *[other] {$credits} кредитов
    }, { $uses ->
        [one] {$uses} активация
        [few] {$uses} активации
       *[other] {$uses} активаций
    }{ $days ->
        [0] {""}
       *[other] , на { $days ->
            [one] {$days} день
            [few] {$days} дня
           *[other] {$days} дней
        }
    }. Ссылка: {$link}
promo-exists = Промокод {$code} уже есть. Выберите другое название или посмотрите <code>/promo list</code>.
promo-off-done = Промокод {$code} выключен: с этого момента он не принимается.
promo-list = 🎟 Промокоды (сначала новые):
promo-list-empty = Промокодов пока нет. Создайте первый: <code>/promo add КОД КРЕДИТЫ [АКТИВАЦИИ] [ДНИ]</code>.
promo-list-line = <code>{$code}</code> · +{$credits} · использовано {$used} из {$uses} · до {$until}{ $state ->
        [off] {" "}· выключен
       *[on] {""}
    }
stats-business = Приглашения: {$invites}, из них оплатили {$payers}; действующих подписок: {$plans}
plan-invoice-title = { $credits ->
        [one] {$credits} кредит в месяц
        [few] {$credits} кредита в месяц
       *[other] {$credits} кредитов в месяц
    }
plan-invoice-description = Подписка на месяц: { $credits ->
        [one] {$credits} кредит
        [few] {$credits} кредита
       *[other] {$credits} кредитов
    } сейчас и каждые 30 дней, пока вы её не отмените. {$seconds}-секундное видео стоит { $price ->
        [one] {$price} кредит
        [few] {$price} кредита
       *[other] {$price} кредитов
    }.
plan-offer = 📅 Подписка на месяц: { $credits ->
        [one] {$credits} кредит
        [few] {$credits} кредита
       *[other] {$credits} кредитов
    } каждые 30 дней за {$stars} ⭐. Продление можно отменить в любой момент в /balance.
plan-button = 📅 Подписаться за {$stars} ⭐
plan-started = ✅ Спасибо! Подписка оформлена. Начислено: { $credits ->
        [one] {$credits} кредит
        [few] {$credits} кредита
       *[other] {$credits} кредитов
    }, следующее начисление {$date}. Ваш баланс: { $balance ->
        [one] {$balance} кредит
        [few] {$balance} кредита
       *[other] {$balance} кредитов
    }.
plan-renewed = ✅ Подписка продлена. Начислено: { $credits ->
        [one] {$credits} кредит
        [few] {$credits} кредита
       *[other] {$credits} кредитов
    }, следующее начисление {$date}. Ваш баланс: { $balance ->
        [one] {$balance} кредит
        [few] {$balance} кредита
       *[other] {$balance} кредитов
    }.
plan-status = 📅 Подписка: { $credits ->
        [one] {$credits} кредит
        [few] {$credits} кредита
       *[other] {$credits} кредитов
    } за {$stars} ⭐; { $canceled ->
        [yes] продление отменено, подписка закончится {$date}.
       *[no] продление {$date}.
    }
plan-cancel = Отменить продление
plan-resume = Возобновить продление
plan-change-failed = Telegram не принял изменение. Попробуйте ещё раз через минуту.
plan-none = У вас нет действующей подписки.
studio-tab-dashboard = 📈 Сводка
studio-invite = Пригласить друзей
studio-plans = Подписка на месяц
dashboard-videos = Видео по дням: готово и ошибки
dashboard-stars = Звёзды Telegram по дням: получено и возвращено
dashboard-credits = Потрачено кредитов по дням
dashboard-failures = Частые причины ошибок (30 дней)
dashboard-median = Медиана от фото до видео (30 дней)
dashboard-queue = Очередь сейчас
dashboard-made = готово
dashboard-failed = ошибки
dashboard-received = получено
dashboard-refunded = возвращено
dashboard-spent = потрачено
dashboard-none = нет

# Issue 27: альбом как одно видео по референсам (MiniMax-H3) и перегенерация в ✨ 2K.
settings-albums-each = 📚 Альбом: по видео на фото
settings-albums-one = 📚 Альбом: одно общее видео
settings-albums-price = 📚 Одно видео из всех фото альбома: {$tiers}.
settings-albums-price-tier = { $from ->
        [2] { $to ->
            [2] 2 фото
           *[other] от 2 до { NUMBER($to) } фото
        }
       *[other] от { NUMBER($from) } до { NUMBER($to) } фото
    } — { NUMBER($price) } { $price ->
        [one] кредит
        [few] кредита
       *[other] кредитов
    }
references-ask-prompt =
    📝 Альбом из { NUMBER($count) } { $count ->
        [one] фотографии
       *[other] фотографий
    } получен. Я сделаю из них одно видео и сохраню то, что видно на каждом фото.
    Что должно происходить в видео? Ответьте одним описанием. Фото можно называть по порядку, например:
    <i>бутылка с фото 1 поворачивается, и видна этикетка, как на фото 2</i>
    Я подожду описание { NUMBER($minutes) } { $minutes ->
        [one] минуту
        [few] минуты
       *[other] минут
    }, потом альбом придётся прислать заново.
album-left-out = ✂️ { $count ->
        [one] Фото № { NUMBER($first) } не вошло
       *[other] Фото с { NUMBER($first) }-го по { NUMBER($last) }-е не вошли
    } в видео: MiniMax берёт для одного видео не больше { NUMBER($max) } фото. Кредиты за { $count ->
        [one] него
       *[other] них
    } не списаны.
progress-references = 📚 Одно видео из { NUMBER($count) } { $count ->
        [one] фотографии
       *[other] фотографий
    }.
progress-regeneration = ✨ 2K: видео <code>{$id}</code> заново в качестве 2K.
failed-base_unavailable = ❌ Задача <code>{$id}</code>: MiniMax больше не хранит видео 768P, а отправить его обратно я не могу: оно слишком большое. Кредиты вернулись на баланс.
video-caption-2k = ✨ Видео в 2K готово (задача <code>{$id}</code>, из видео <code>{$from}</code>).
button-2k = ✨ 2K · { NUMBER($price) } { $price ->
        [one] кредит
        [few] кредита
       *[other] кредитов
    }
regen-started = ✨ Видео в 2K уже в работе.
regen-duplicate = Эта кнопка уже запустила видео в 2K.
regen-unavailable = Сделать 2K не получится: MiniMax больше не хранит это видео, а отправить его обратно я не могу — оно слишком большое. Кредиты не списаны.
regen-not-offered = Это видео нельзя сделать заново в 2K.
studio-regen-started = ✨ Видео в 2K уже в работе, следите за ним в чате.
studio-regen-button = ✨ 2K
studio-settings-albums = 📚 Альбомы
studio-albums-each = По видео на фото
studio-albums-one = Одно общее видео

# Issue 25: the studio's door
studio-wait = ⏳ Слишком много нажатий подряд. Подождите немного и попробуйте снова.
