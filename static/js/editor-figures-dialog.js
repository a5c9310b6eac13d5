// The picture dialog of the rich-text editor (imported by editor-figures.js): a modal <dialog> with
// two tabs, "Library" (search the image library, pick a thumbnail) and "Upload" (a file sent to the
// library at once), then the alt text (required) and an optional caption.
//
// The library's JSON endpoints (library/admin.py, the issue 19 contract):
//   GET  chooseUrl ?q=&page=      -> {"results": [{id, url, thumbnail, width, height, alt, caption}], "next"}
//   POST uploadUrl (file, alt)    -> 201/200 {id, url, width, height, alt, ...} or 400 {"error": "..."}
// Their addresses come in the editor's configuration (the widget's data attribute), as the CSP
// allows no inline script.

import { crel, gettext } from "django-prose-editor/editor"

let dialogCount = 0

const csrfToken = () =>
  document.querySelector("input[name=csrfmiddlewaretoken]")?.value ||
  document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/)?.[1] ||
  ""

const field = (id, labelText, input, help = null) => {
  const children = [crel("label", { htmlFor: id, textContent: labelText }), input]
  if (help) {
    input.setAttribute("aria-describedby", `${id}-help`)
    children.push(crel("p", { id: `${id}-help`, className: "figure-dialog__help", textContent: help }))
  }
  return crel("div", { className: "figure-dialog__field" }, children)
}

/** Read a JSON answer, or throw an Error whose message a person can act on. */
const readJSON = async (response, what) => {
  let data = null
  try {
    data = await response.json()
  } catch {
    data = null
  }
  if (!response.ok) {
    throw new Error(data?.error || `${what} (${gettext("the server answered")} ${response.status}).`)
  }
  if (!data) throw new Error(`${what} (${gettext("the answer was not understood")}).`)
  return data
}

const pictureOf = (item) => ({
  src: item.url,
  alt: item.alt || "",
  width: item.width || null,
  height: item.height || null,
})

/**
 * Open the dialog; resolve with {picture: {src, alt, width, height}, caption} or null (cancelled).
 *
 * `current`: the attributes of the picture being edited (kept unless another is chosen);
 * `file`: a pasted or dropped file, shown on the Upload tab; `askCaption`: offer a caption field.
 */
export const chooseFigure = (editor, options, { current = null, file = null, askCaption = true } = {}) =>
  new Promise((resolve) => {
    const prefix = `figure-dialog-${++dialogCount}`
    const ids = (name) => `${prefix}-${name}`
    let chosen = null // the library item picked
    let pendingFile = file
    let prefilled = { alt: "", caption: "" } // what the last pick wrote into the fields
    let searchRound = 0
    let nextPage = null
    let busy = false

    // --- the parts ---
    const title = crel("h2", {
      id: ids("title"),
      className: "figure-dialog__title",
      textContent: current ? gettext("Change the picture") : gettext("Insert a picture"),
    })
    const tabs = [
      ["library", gettext("Library")],
      ["upload", gettext("Upload")],
    ].map(([name, text]) =>
      crel("button", {
        type: "button",
        id: ids(`tab-${name}`),
        className: "figure-dialog__tab",
        textContent: text,
        role: "tab",
        "aria-controls": ids(`panel-${name}`),
        "aria-selected": "false",
      }),
    )
    const tablist = crel("div", { className: "figure-dialog__tabs", role: "tablist" }, tabs)
    tablist.setAttribute("aria-label", gettext("Where the picture comes from"))

    const search = crel("input", { type: "search", id: ids("search"), autocomplete: "off" })
    const results = crel("ul", { className: "figure-dialog__results", role: "list" })
    const more = crel("button", {
      type: "button",
      className: "figure-dialog__more",
      textContent: gettext("More pictures"),
      hidden: true,
    })
    const libraryStatus = crel("p", { className: "figure-dialog__status", role: "status" })
    const libraryPanel = crel(
      "div",
      { id: ids("panel-library"), className: "figure-dialog__panel", role: "tabpanel" },
      [field(ids("search"), gettext("Search the library"), search), libraryStatus, results, more],
    )

    const fileInput = crel("input", { type: "file", id: ids("file"), accept: "image/*" })
    const fileStatus = crel("p", { className: "figure-dialog__status", role: "status" })
    const uploadPanel = crel(
      "div",
      { id: ids("panel-upload"), className: "figure-dialog__panel", role: "tabpanel", hidden: true },
      [
        field(
          ids("file"),
          gettext("Picture file"),
          fileInput,
          gettext("JPEG, PNG, WebP or GIF. It is added to the image library."),
        ),
        fileStatus,
      ],
    )
    for (const [tab, panel] of [
      [tabs[0], libraryPanel],
      [tabs[1], uploadPanel],
    ]) {
      panel.setAttribute("aria-labelledby", tab.id)
    }

    const preview = crel("div", { className: "figure-dialog__preview", "aria-live": "polite" })
    const alt = crel("input", { type: "text", id: ids("alt"), maxLength: 250, required: true })
    const caption = crel("input", { type: "text", id: ids("caption"), maxLength: 300 })
    const error = crel("p", { className: "figure-dialog__error", role: "alert" })
    const submit = crel("button", {
      type: "submit",
      className: "figure-dialog__submit default",
      textContent: current ? gettext("Update") : gettext("Insert"),
    })
    const cancel = crel("button", { type: "button", textContent: gettext("Cancel") })
    const fields = [
      field(
        ids("alt"),
        gettext("Alt text (required)"),
        alt,
        gettext("Describe the picture for readers who cannot see it."),
      ),
    ]
    if (askCaption) fields.push(field(ids("caption"), gettext("Caption (optional)"), caption))

    const form = crel("form", { className: "figure-dialog__form", noValidate: true }, [
      title,
      tablist,
      libraryPanel,
      uploadPanel,
      preview,
      ...fields,
      error,
      crel("div", { className: "figure-dialog__buttons" }, [submit, cancel]),
    ])
    const dialog = crel("dialog", { className: "figure-dialog" }, [form])
    dialog.setAttribute("aria-labelledby", title.id)

    // --- behaviour ---
    const activeTab = () => (tabs[1].getAttribute("aria-selected") === "true" ? "upload" : "library")

    const showPreview = () => {
      preview.textContent = ""
      let src = null
      let text = ""
      if (activeTab() === "library" && chosen) {
        src = chosen.thumbnail || chosen.url
        text = gettext("Chosen from the library.")
      } else if (activeTab() === "upload" && pendingFile) {
        src = pendingPreview // a data: address (the CSP allows no blob: pictures)
        text = `${gettext("To upload:")} ${pendingFile.name || gettext("a pasted picture")}`
      } else if (current?.src) {
        src = current.src
        text = gettext("The current picture.")
      }
      if (text) preview.append(...(src ? [crel("img", { src, alt: "" })] : []), crel("p", { textContent: text }))
    }

    let pendingPreview = null
    const readPreview = () => {
      pendingPreview = null
      const reading = pendingFile
      if (!reading) return
      const reader = new FileReader()
      reader.addEventListener("load", () => {
        if (reading !== pendingFile) return // another file was chosen meanwhile
        pendingPreview = reader.result
        showPreview()
      })
      reader.readAsDataURL(reading)
    }

    const selectTab = (index, focus = false) => {
      tabs.forEach((tab, i) => {
        const selected = i === index
        tab.setAttribute("aria-selected", String(selected))
        tab.tabIndex = selected ? 0 : -1
      })
      libraryPanel.hidden = index !== 0
      uploadPanel.hidden = index !== 1
      if (focus) tabs[index].focus()
      error.textContent = ""
      showPreview()
    }
    tabs.forEach((tab, index) => tab.addEventListener("click", () => selectTab(index)))
    tablist.addEventListener("keydown", (event) => {
      const index = tabs.indexOf(document.activeElement)
      if (index < 0) return
      const moves = { ArrowLeft: index - 1, ArrowRight: index + 1, Home: 0, End: tabs.length - 1 }
      if (!(event.key in moves)) return
      event.preventDefault()
      selectTab((moves[event.key] + tabs.length) % tabs.length, true)
    })

    const fillFrom = (item) => {
      // Fill in the library's alt text and caption, unless the editor typed their own.
      if (!alt.value.trim() || alt.value === prefilled.alt) alt.value = item.alt || ""
      if (!caption.value.trim() || caption.value === prefilled.caption) caption.value = item.caption || ""
      prefilled = { alt: alt.value, caption: caption.value }
    }

    const choiceButton = (item) => {
      const label = item.alt || item.caption || item.url.split("/").pop()
      const button = crel(
        "button",
        { type: "button", className: "figure-dialog__choice", "aria-pressed": "false" },
        [
          crel("img", { src: item.thumbnail || item.url, alt: "", loading: "lazy" }),
          crel("span", { textContent: label }),
        ],
      )
      button.addEventListener("click", () => {
        chosen = item
        for (const other of results.querySelectorAll("[aria-pressed]")) {
          other.setAttribute("aria-pressed", String(other === button))
        }
        fillFrom(item)
        error.textContent = ""
        showPreview()
      })
      return crel("li", {}, [button])
    }

    const loadPage = async (page) => {
      const round = ++searchRound
      const url = new URL(options.chooseUrl, window.location.href)
      url.searchParams.set("q", search.value.trim())
      url.searchParams.set("page", String(page))
      libraryStatus.textContent = gettext("Searching…")
      more.hidden = true
      try {
        const response = await fetch(url, {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        })
        const data = await readJSON(response, gettext("The library could not be searched"))
        if (round !== searchRound) return // a newer search is under way
        if (page === 1) results.textContent = ""
        for (const item of data.results || []) results.append(choiceButton(item))
        nextPage = data.next || null
        more.hidden = !nextPage
        const count = results.children.length
        libraryStatus.textContent = count
          ? ""
          : search.value.trim()
            ? gettext("No picture in the library matches. Try other words, or upload one.")
            : gettext("The library has no pictures yet: upload one.")
      } catch (exc) {
        if (round === searchRound) libraryStatus.textContent = exc.message
      }
    }

    let searchTimer = null
    search.addEventListener("input", () => {
      clearTimeout(searchTimer)
      searchTimer = setTimeout(() => loadPage(1), 250) // one request once the typing pauses
    })
    search.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault() // searches now, does not submit the dialog
        clearTimeout(searchTimer)
        loadPage(1)
      }
    })
    more.addEventListener("click", () => nextPage && loadPage(nextPage))

    fileInput.addEventListener("change", () => {
      pendingFile = fileInput.files[0] || null
      fileStatus.textContent = ""
      error.textContent = ""
      readPreview()
      showPreview()
    })

    const upload = async (altText) => {
      const body = new FormData()
      body.append("file", pendingFile, pendingFile.name || "pasted-picture")
      body.append("alt", altText)
      const response = await fetch(options.uploadUrl, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
      })
      return readJSON(response, gettext("The picture could not be uploaded"))
    }

    const setBusy = (value) => {
      busy = value
      submit.disabled = value
      form.setAttribute("aria-busy", String(value))
    }

    const finish = (result) => {
      dialog.close()
      resolve(result)
    }

    form.addEventListener("submit", async (event) => {
      event.preventDefault()
      if (busy) return
      error.textContent = ""
      const altText = alt.value.trim()
      const captionText = askCaption ? caption.value.trim() : ""
      const tab = activeTab()
      const hasPicture = (tab === "library" && chosen) || (tab === "upload" && pendingFile) || current?.src
      if (!hasPicture) {
        error.textContent =
          tab === "library"
            ? gettext("Choose a picture from the library, or upload one.")
            : gettext("Choose the picture file to upload.")
        ;(tab === "library" ? search : fileInput).focus()
        return
      }
      if (!altText) {
        error.textContent = gettext(
          "The alt text is required: describe the picture for readers who cannot see it.",
        )
        alt.setAttribute("aria-invalid", "true")
        alt.focus()
        return
      }
      alt.removeAttribute("aria-invalid")
      let picture = null
      if (tab === "upload" && pendingFile) {
        setBusy(true)
        fileStatus.textContent = gettext("Uploading…")
        try {
          picture = { ...pictureOf(await upload(altText)), alt: altText }
        } catch (exc) {
          fileStatus.textContent = ""
          error.textContent = exc.message
          setBusy(false)
          return
        }
        setBusy(false)
      } else if (tab === "library" && chosen) {
        picture = { ...pictureOf(chosen), alt: altText }
      } else {
        picture = { ...current, alt: altText }
      }
      finish({ picture, caption: captionText })
    })
    cancel.addEventListener("click", () => finish(null))
    dialog.addEventListener("cancel", (event) => {
      if (busy) event.preventDefault() // Escape during an upload: wait for it
    })
    dialog.addEventListener("close", () => {
      clearTimeout(searchTimer)
      dialog.remove()
      resolve(null) // a second resolve is ignored: this only answers Escape
      editor.view.focus()
    })

    // --- open ---
    document.body.append(dialog)
    dialog.showModal()
    if (current?.alt) {
      alt.value = current.alt
      prefilled = { ...prefilled, alt: current.alt } // it describes the old picture: a new pick replaces it
    }
    if (file) {
      readPreview()
      selectTab(1)
      fileStatus.textContent = gettext("Give the picture its alt text, then insert it: it is uploaded then.")
      alt.focus()
    } else {
      selectTab(0)
      search.focus()
    }
    loadPage(1)
  })
