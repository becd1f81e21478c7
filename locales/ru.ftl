start =
    👋 Привет! Я Astrolus. Превращаю фото товара в короткое видео с помощью MiniMax Hailuo.

    Как это работает:
    1. Пришлите фото товара (или изображение файлом: JPEG, PNG или WebP).
    2. В подписи опишите, как он должен двигаться.
    3. Через несколько минут видео придёт сюда.

    Пример подписи: <i>кроссовок медленно вращается на белом подиуме, мягкий студийный свет</i>

    /status — ваши видео, /settings — длительность, качество и движения камеры, /help — правила.
help =
    📸 Пришлите одно фото товара с подписью, описывающей движение.

    Что подходит:
    • JPEG, PNG или WebP до 20 МБ
    • короткая сторона больше 300 px
    • соотношение сторон от 2:5 до 5:2
    • подпись до 2000 символов

    Нет подписи? Я её попрошу. Видео: {$model}, {$duration} с, {$resolution}; обычно готово за 1–5 минут.
    Одновременно в работе может быть до {$maxActive} видео.

    /status — ваши последние видео
    /status &lt;id&gt; — одно видео
    /history — готовые видео, чтобы получить любое ещё раз
    /settings — длительность, качество, движения камеры
    /language — русский или английский
accepted =
    ✅ Принято! Задача <code>{$id}</code> отправляется в MiniMax.
    Обычно видео готово за 1–5 минут; я пришлю его сюда ответом на ваше фото.
accepted-queued =
    ✅ Принято! Задача <code>{$id}</code> в очереди: вы {$position}-й, до старта около {$minutes ->
        [one] {$minutes} минуты
        [few] {$minutes} минут
       *[other] {$minutes} минут
    }, затем обычно ещё 1–5 минут.
    Я пришлю видео сюда ответом на ваше фото.
ask-prompt =
    📝 Отличное фото! Что должно двигаться? Ответьте коротким описанием, например:
    <i>бутылка медленно вращается, блик скользит по стеклу</i>
    Я подожду описание {$minutes ->
        [one] {$minutes} минуту
        [few] {$minutes} минуты
       *[other] {$minutes} минут
    }, потом фото придётся прислать заново.
photo-expired = ⌛ Фото, которое вы прислали раньше, слишком долго ждало описания, и я его отпустил. Пришлите фото ещё раз, с этим описанием в подписи.
prompt-too-long = ✂️ В описании {$length} {$length ->
        [one] символ
        [few] символа
       *[other] символов
    }, а MiniMax принимает не больше {$max}. Сократите его и пришлите снова.
prompt-empty = 📝 Описание пустое. Напишите словами, что должно двигаться.
image-type = 🖼 Я оживляю изображения JPEG, PNG и WebP. Пришлите фото или файл в одном из этих форматов.
image-unreadable = 🖼 Не получилось прочитать файл как изображение. Пришлите его как фото или как файл JPEG, PNG или WebP.
image-too-large = 🖼 Изображение весит {$mb} МБ, а предел — 20 МБ. Пришлите его как фото (Telegram сожмёт) или сохраните файл поменьше.
image-too-small = 🔍 Изображение {$width}×{$height} px, а короткая сторона должна быть больше 300 px. Пришлите фото покрупнее.
image-aspect = 📐 Изображение {$width}×{$height} px слишком вытянуто: длинная сторона может быть длиннее короткой не больше чем в 2,5 раза (5:2). Обрежьте его и пришлите снова.
unsupported =
    🤖 Я делаю видео из фото товаров. Пришлите фото с подписью о том, как он должен двигаться,
    например: <i>кроссовок медленно вращается на белом подиуме</i>.
album = 📚 Присылайте по одному фото: каждое видео начинается с одного изображения.
limit-reached = ⏳ У вас уже {$max} видео в работе. Следующее приму, как только одно из них будет готово.
private = 🔒 Это закрытый бот.
busy-retry = 😔 У нас что-то пошло не так. Пришлите фото ещё раз через минуту.
busy-admitted = ⏳ Ваш запрос <code>{ $id }</code> в очереди, хотя у нас только что что-то пошло не так. Не присылайте фото повторно: /status покажет, как идут дела.

failed-sensitive_input = ❌ Задача <code>{$id}</code>: MiniMax отклонил фото или описание как недопустимое. Попробуйте другое фото или формулировку.
failed-sensitive_output = ❌ Задача <code>{$id}</code>: MiniMax остановил видео — результат помечен как недопустимый. Попробуйте другое описание.
failed-unavailable = ❌ Задача <code>{$id}</code>: сервис видео временно недоступен. Попробуйте чуть позже.
failed-usage_limit = ❌ Задача <code>{$id}</code>: сервис видео исчерпал лимит использования. Попробуйте через несколько часов.
failed-invalid = ❌ Задача <code>{$id}</code>: MiniMax не смог принять запрос. Попробуйте другое фото или описание попроще.
failed-timeout = ❌ Задача <code>{$id}</code> выполнялась слишком долго и была остановлена. Пришлите фото ещё раз.
failed-unknown_outcome = ❌ Задача <code>{$id}</code>: не удалось подтвердить, что MiniMax её получил, а дважды мы не отправляем, чтобы не списать оплату дважды. Пришлите фото ещё раз.
failed-error = ❌ Задача <code>{$id}</code> не удалась. Пришлите фото ещё раз.

video-caption = 🎬 Ваше видео готово (задача <code>{$id}</code>).
video-as-link =
    🎬 Ваше видео (задача <code>{$id}</code>) весит {$mb} МБ — больше, чем бот может загрузить в Telegram.
    Скачайте его по ссылке, она действует несколько часов:
    {$url}

status-empty = У вас пока нет видео. Пришлите фото товара с подписью, чтобы сделать первое.
status-header = 🗂 Ваши последние видео:
status-line = <code>{$id}</code> · {$state} · {$age} · {$prompt}
status-private-only = 🔒 /status показывает ваши описания, поэтому отвечаю на него только в личном чате. Напишите мне туда.
status-not-found = Среди ваших задач нет <code>{$id}</code>.
status-detail =
    Задача <code>{$id}</code>: {$state}
    Создана {$ago}. Описание: {$prompt}
state-queued = 🕒 в очереди
state-submitted = ⚙️ генерируется
state-delivering = 📤 отправляется
state-delivered = ✅ доставлено
state-failed = ❌ не удалось
state-cancelled = 🚫 отменено
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
command-status = Ваши видео

accepted-price = 💳 Цена: { $price ->
        [one] {$price} кредит
        [few] {$price} кредита
       *[other] {$price} кредитов
    } — резервируем сейчас, а спишем, только если MiniMax сделает видео. Остаток: { $balance ->
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
    }. В MiniMax ничего не отправлено.
    Купите кредиты за Telegram Stars командой /buy и пришлите фото ещё раз.
help-credits = 💳 Видео стоит { $price ->
        [one] {$price} кредит
        [few] {$price} кредита
       *[other] {$price} кредитов
    } (10-секундные и 1080P могут стоить дороже). Неудавшееся видео ничего не стоит. /balance — ваши кредиты, /buy — купить ещё.

balance =
    💳 Ваш баланс: { $balance ->
        [one] {$balance} кредит
        [few] {$balance} кредита
       *[other] {$balance} кредитов
    }.{ $inFlight ->
        [0] {""}
       *[other] {" "}Видео в работе: {$inFlight}.
    }
balance-history = Последние движения:
balance-line = {$date} · <b>{$change}</b> · {$what}
ledger-welcome = приветственный подарок
ledger-reserve = резерв на задачу <code>{$id}</code>
ledger-capture = задача <code>{$id}</code> выполнена: резерв списан
ledger-release = задача <code>{$id}</code> не завершилась: возврат
ledger-purchase = покупка за {$stars} ⭐
ledger-refund = возврат платежа: кредиты списаны
ledger-grant = корректировка поддержкой
ledger-void = задача <code>{$id}</code> не была запущена
balance-buy = Купить ещё: /buy.

buy-intro = ⭐ Кредиты оплачиваются Telegram Stars. Выберите пакет ниже; кредиты придут сразу после оплаты.
invoice-title = { $credits ->
        [one] {$credits} кредит
        [few] {$credits} кредита
       *[other] {$credits} кредитов
    }
invoice-description = { $credits ->
        [one] {$credits} кредит
        [few] {$credits} кредита
       *[other] {$credits} кредитов
    } на видео в Astrolus. 6-секундное видео стоит { $price ->
        [one] {$price} кредит
        [few] {$price} кредита
       *[other] {$price} кредитов
    }; неудавшееся видео ничего не стоит.
invoice-label = { $credits ->
        [one] {$credits} кредит
        [few] {$credits} кредита
       *[other] {$credits} кредитов
    }
precheckout-invalid = Это предложение больше не действует. Отправьте /buy ещё раз, чтобы увидеть текущие пакеты.
payment-received = ✅ Спасибо! Начислено: { $credits ->
        [one] {$credits} кредит
        [few] {$credits} кредита
       *[other] {$credits} кредитов
    }. Ваш баланс: { $balance ->
        [one] {$balance} кредит
        [few] {$balance} кредита
       *[other] {$balance} кредитов
    }.
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
    🛟 Поддержка по оплате: если покупка не пришла или вы хотите вернуть деньги, напишите {$contact} и укажите дату платежа.
    Кредиты за неудавшееся видео возвращаются автоматически; /balance показывает все движения.
paysupport-here =
    🛟 Поддержка по оплате: если покупка не пришла или вы хотите вернуть деньги, ответьте на это сообщение и опишите, что случилось и когда; оператор читает такие сообщения и ответит здесь.
    Кредиты за неудавшееся видео возвращаются автоматически; /balance показывает все движения.
terms =
    📄 Условия продажи
    • Кредиты покупаются за Telegram Stars командой /buy и оплачивают видео, созданные в этом боте.
    • Цена видео видна до его запуска. Кредиты резервируются, когда вы присылаете фото, и списываются, только если MiniMax сделает видео; иначе они возвращаются.
    • Кредиты не сгорают и не обмениваются обратно на Stars. Купленные и не потраченные кредиты можно вернуть через /paysupport.
    • Видео создаёт сервис ИИ: результат может отличаться, а за отклонённое им содержимое плата не берётся.

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
    Генерации сегодня (UTC): {$phases}
    Ошибки сегодня по кодам: {$failures}
    Потрачено кредитов: {$spent}; продано: {$sold} за {$stars} ⭐
stats-none = нет

command-balance = Ваши кредиты
command-buy = Купить кредиты за Stars
command-paysupport = Помощь с оплатой
command-terms = Условия продажи

command-settings = Настройки видео
command-language = Язык: русский или английский

settings-title =
    ⚙️ <b>Настройки</b> следующих видео: длительность, качество, улучшение описания и движение камеры.
    Нажмите, чтобы изменить; я запомню ваш выбор.
settings-duration = ⏱ {$seconds} с
settings-optimizer-on = ✨ Улучшать описание: да
settings-optimizer-off = ✨ Улучшать описание: нет
settings-camera = 🎥 Камера: {$moves}
settings-back = ⬅️ Назад
menu-outdated = Меню устарело, вот актуальное.
camera-max = Можно совместить не больше трёх движений камеры.
camera-none = без движения камеры
camera-push-in = Наезд
camera-pull-out = Отъезд
camera-zoom-in = Приближение
camera-zoom-out = Отдаление
camera-pan-left = Поворот влево
camera-pan-right = Поворот вправо
camera-tilt-up = Наклон вверх
camera-tilt-down = Наклон вниз
camera-truck-left = Сдвиг влево
camera-truck-right = Сдвиг вправо
camera-pedestal-up = Подъём
camera-pedestal-down = Спуск
camera-tracking-shot = Следование
camera-static-shot = Статичная камера
camera-shake = Тряска
language-choose = 🌐 Выберите язык: / Choose the language:
language-set = 🇷🇺 Готово: буду говорить с вами по-русски.
command-history = Ваши готовые видео

button-again = 🔁 Ещё раз
button-another-move = 🎥 Другое движение камеры
button-new-prompt = ✍️ Новое описание
button-cancel = ✖️ Отменить
button-make-video = 🎬 Сделать видео
variation-gone = Не могу найти это видео среди ваших.
variation-started = 🎬 Новое видео уже в работе.
variation-duplicate = Эта кнопка уже запустила видео.
variation-refused = Новое видео не запущено, причина — в сообщении ниже.
moves-pick =
    🎥 Выберите до трёх движений камеры для <i>{$prompt}</i> и нажмите «Сделать видео».
    Выбрано: {$moves}
moves-picker-open = Движения камеры ждут вас сразу под этим видео.
moves-chosen = 🎥 Камера: {$moves}. Новое видео уже в работе.
new-prompt-ask =
    ✍️ Опишите в следующем сообщении новое движение для этого фото, например:
    <i>бутылка медленно вращается, блик скользит по стеклу</i>
history-title = 🎞 Ваши видео, сначала новые (страница {$page}). Нажмите, чтобы получить видео ещё раз.
history-item = 🎬 {$date} · {$prompt}
history-item-link = 🔗 {$date} · {$prompt}
history-newer = ◀️ Новее
history-older = Старее ▶️
history-empty = Готовых видео пока нет. Пришлите фото товара с подписью, чтобы сделать первое.
history-link =
    🔗 Задача <code>{$id}</code> была слишком большой для загрузки, поэтому пришла ссылкой.
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
progress-cancelled = 🚫 Задача <code>{$id}</code> отменена. В MiniMax она не отправлялась.
failed-cancelled = 🚫 Задача <code>{$id}</code> отменена, как вы просили; в MiniMax она не отправлялась.
cancel-cancelled = Отменено. Это видео делаться не будет.
cancel-already = Эта задача уже отменена.
cancel-too-late = Отменить уже нельзя: задача у MiniMax.
cancel-not-found = Среди ваших задач такой нет.
settings-choice = {$label} · { $price ->
        [one] {$price} кредит
        [few] {$price} кредита
       *[other] {$price} кредитов
    }

button-studio = 🖼 Студия
studio-menu-button = 🖼 Студия
studio-tab-gallery = 🎞 Видео
studio-tab-jobs = ⚙️ В работе
studio-tab-balance = 💳 Баланс
studio-tab-settings = 🛠 Настройки
studio-filter-formats = Все форматы
studio-filter-models = Все модели
studio-format-original = Как на фото
studio-variants = Варианты по этому фото
studio-download = ⬇️ Скачать
studio-download-started = ⬇️ Telegram сохраняет видео на ваше устройство.
studio-loading = Загружаю…
studio-failed = Что-то пошло не так. Попробуйте ещё раз.
studio-retry = 🔄 Ещё раз
studio-video-in-chat = Здесь это видео уже не воспроизвести: оно есть в вашем чате с ботом.
studio-jobs-empty = Задач в работе нет. Пришлите боту фото товара, чтобы сделать видео.
studio-job-position = Место в очереди: { NUMBER($position) }
studio-open-in-telegram = Откройте студию кнопкой меню бота в Telegram.
studio-expired = Эта сессия студии устарела. Закройте студию и откройте её снова из чата с ботом.
studio-packs = ⭐ Купить кредиты за звёзды Telegram
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
studio-again-in-chat = Это видео сделано до появления студии: нажмите «🔁 Ещё раз» под ним в чате.
